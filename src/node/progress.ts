/**
 * Progress for long work: a live bar with images/s and ETA on a terminal, plain periodic log
 * lines when output goes to a file or CI log.
 *
 * @module node/progress
 */
import cliProgress from 'cli-progress';

/** Reports progress of one task. */
export interface Progress {
  /** Sets the items done so far (and optionally the total, once known) with a status text. */
  update(done: number, status?: string, total?: number): void;
  /** Ends the bar (or prints the final line). */
  stop(): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** What is being done, e.g. `epoch 3/10`. */
  readonly label: string;
  /** Items to do, when known. */
  readonly total?: number;
  /** Unit shown in rates. @defaultValue 'img' */
  readonly unit?: string;
  /** Where to write. @defaultValue process.stderr */
  readonly stream?: NodeJS.WriteStream;
  /** Seconds between plain log lines when not on a terminal. @defaultValue 10 */
  readonly logIntervalSeconds?: number;
  /** Print nothing (for --json output). */
  readonly silent?: boolean;
}

/** A {@link Progress} that suits where output is going. */
export function createProgress(options: ProgressOptions): Progress {
  const { label, unit = 'img', stream = process.stderr, logIntervalSeconds = 10, silent = false } = options;
  let total = options.total ?? 0;
  const started = Date.now();
  const rate = (done: number) => done / Math.max((Date.now() - started) / 1000, 1e-3);
  if (silent) return { update() {}, stop() {} };

  if (stream.isTTY === true) {
    const bar = new cliProgress.SingleBar({
      stream,
      format: `${label} [{bar}] {value}/{total} | {rate} ${unit}/s | ETA {eta_formatted} | {status}`,
      hideCursor: true,
      clearOnComplete: false,
    }, cliProgress.Presets.shades_classic);
    bar.start(total, 0, { rate: '0.0', status: '' });
    return {
      update(done, status = '', newTotal) {
        if (newTotal !== undefined && newTotal !== total) { total = newTotal; bar.setTotal(total); }
        bar.update(done, { rate: rate(done).toFixed(1), status });
      },
      stop() { bar.stop(); },
    };
  }

  let lastLog = started;
  let last = { done: 0, status: '' };
  const line = () => {
    const of = total > 0 ? `/${total}` : '';
    return `${label}: ${last.done}${of} ${unit}, ${rate(last.done).toFixed(1)} ${unit}/s${last.status ? `, ${last.status}` : ''}\n`;
  };
  return {
    update(done, status = '', newTotal) {
      if (newTotal !== undefined) total = newTotal;
      last = { done, status };
      if (Date.now() - lastLog >= logIntervalSeconds * 1000) { lastLog = Date.now(); stream.write(line()); }
    },
    stop() { stream.write(line()); },
  };
}
