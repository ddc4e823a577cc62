# METADATA
# title: Shell spawned by a server process
# description: >-
#   A non-interactive shell was started directly by a network-facing server
#   (web servers, PHP-FPM, Java, databases, application servers). Servers rarely
#   need a shell; a shell under one is the typical sign of remote code execution
#   (web shell, deserialisation, Log4Shell). The parent is the first ancestor in the
#   process's ancestry; images in data.vigil.config.runtime_shell_allowed_images
#   are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-002
#   kind: process_exec
#   severity: HIGH
#   maturity: stable
#   recommended_action: Inspect the command line and the server's recent requests; if legitimate, replace the shell-out with a direct exec or allow the image.
#   frameworks:
#     mitre: ["T1059.004", "T1190"]
package vigil.runtime.shell_from_server

import data.vigil.lib.event
import data.vigil.lib.paths
import data.vigil.lib.text

_servers := {
	"nginx", "httpd", "apache2", "lighttpd", "caddy", "traefik", "envoy", "haproxy",
	"java", "tomcat", "jboss", "php-fpm", "php", "gunicorn", "uwsgi", "puma", "unicorn",
	"postgres", "mysqld", "mariadbd", "mongod", "redis-server", "memcached",
}

deny contains msg if {
	fact := input.process_exec
	event.in_container(fact.container)
	p := fact.process
	not p.tty
	event.is_shell(p)
	parent := p.ancestry[0]
	_is_server(parent)
	not event.image_listed(fact.container.image, "runtime_shell_allowed_images")
	msg := sprintf("server process %s (pid %d) spawned shell %s in container %s: %s", [
		event.exe(parent), parent.pid, event.exe(p), text.quote(event.name(fact.container)),
		substring(concat(" ", p.args), 0, 200),
	])
}

_is_server(parent) if _server_name(parent.comm)

_is_server(parent) if _server_name(paths.basename(parent.exe))

# php-fpm8.2, postgres: workers and the like keep the server's name as a prefix.
_server_name(name) if name in _servers

_server_name(name) if regex.match(`^(php-fpm|php|java|postgres|httpd|apache2|nginx)[0-9.:_-]`, name)
