/**
 * gVisor's `remote` sink connects to a SOCK_SEQPACKET Unix socket, which Node's
 * `net` module cannot serve. This relay, run as `python3 -c RELAY_SOURCE PATH`,
 * serves it: it answers each sandbox's handshake and writes every message as one
 * line `<connection> <hex>` to stdout. "ready" is printed once it listens.
 * Standard library only; one thread per sandbox connection.
 */
export const RELAY_SOURCE = `
import os, socket, sys, threading
path = sys.argv[1]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
server = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
server.bind(path)
os.chmod(path, 0o600)
server.listen(64)
lock = threading.Lock()
def emit(line):
    with lock:
        sys.stdout.write(line + "\\n")
        sys.stdout.flush()
def serve(conn, n):
    try:
        conn.send(conn.recv(65536))
        while True:
            packet = conn.recv(1 << 20)
            if not packet:
                break
            emit("%d %s" % (n, packet.hex()))
    except OSError:
        pass
    finally:
        conn.close()
        emit("%d closed" % n)
print("ready", flush=True)
n = 0
while True:
    conn, _ = server.accept()
    n += 1
    threading.Thread(target=serve, args=(conn, n), daemon=True).start()
`;
