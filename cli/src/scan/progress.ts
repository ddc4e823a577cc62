/** A one-line progress bar on stderr, redrawn in place; only used on a terminal. */
export function progressBar(label: string): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (now - last < 100 && done < total) return;
    last = now;
    const width = 30;
    const ratio = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(ratio * width);
    const mb = (n: number): string => (n / 1_048_576).toFixed(1);
    process.stderr.write(`\r${label.slice(-40).padEnd(40)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${mb(done)}/${mb(total)} MB`);
    if (total > 0 && done >= total) process.stderr.write('\n');
  };
}
