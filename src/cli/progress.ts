import cliProgress from 'cli-progress';
import type { RaceProgress } from '../race/options.js';

export interface ProgressDisplay {
  readonly onProgress: (progress: RaceProgress) => void;
  stop(): void;
}

const FORMAT = '{label} [{bar}] {value}/{total} operations | {rate} ops/s';

/**
 * The progress bar of a long run, on stderr: only on a terminal, so that a log or a pipe gets
 * none of its redraws. A new bar starts for each race (each mode of a comparison).
 */
export function progressDisplay(stream: NodeJS.WritableStream & { readonly isTTY?: boolean }): ProgressDisplay | null {
  if (stream.isTTY !== true) return null;
  let bar: cliProgress.SingleBar | null = null;
  let label = '';
  const stop = () => {
    bar?.stop();
    bar = null;
  };
  return {
    onProgress: ({ scenario, mode, done, total, elapsedMs }) => {
      const current = `${scenario}/${mode}`;
      const rate = elapsedMs > 0 ? Math.round(done / (elapsedMs / 1000)) : 0;
      if (bar && current !== label) stop();
      if (!bar) {
        label = current;
        bar = new cliProgress.SingleBar({ stream, format: FORMAT, hideCursor: true, clearOnComplete: true, barsize: 30 }, cliProgress.Presets.shades_classic);
        bar.start(total, done, { label, rate });
      } else {
        bar.update(done, { rate });
      }
      if (done >= total) stop();
    },
    stop,
  };
}
