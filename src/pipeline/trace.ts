import type { RaceOptions, RaceStage } from '../race/options.js';

/** What the --verbose trace says as a run enters each stage. */
const STAGE_LINES: Readonly<Record<RaceStage, string>> = {
  database: 'opening the database',
  setup: 'setting up the tables',
  race: 'threads connecting and waiting at the start barrier',
  verify: 'verifying',
  cleanup: 'cleaning up',
};

/** A run's stage callback: tells `onStage`, and says it on the `onLog` trace. */
export function stageReporter(options: Pick<RaceOptions, 'onStage' | 'onLog'>): (stage: RaceStage) => void {
  return (stage) => {
    options.onStage?.(stage);
    options.onLog?.(STAGE_LINES[stage]);
  };
}
