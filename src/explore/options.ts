import { optionTable } from '../options/define.js';

/** `race-rig explore`'s own options (the API's `exploreRace` takes them by these names). */
export const EXPLORE_OPTIONS = optionTable({
  strategy: {
    flag: 'strategy',
    type: 'string',
    choices: ['exhaustive', 'random', 'pct'],
    describe: 'how to pick schedules: every interleaving, random ones, or PCT (random priorities with --depth − 1 change points)',
    defaultText: 'exhaustive when at most 10000 interleavings, else pct',
    commands: ['explore'],
  },
  prune: { flag: 'prune', type: 'boolean', default: false, describe: 'exhaustive: skip schedules that only reorder statements that commute (reads, BEGIN)', commands: ['explore'] },
  seed: { flag: 'seed', type: 'number', min: 0, max: 2 ** 31 - 1, describe: 'random and pct: the seed (the same seed runs the same schedules)', defaultText: 'chosen and printed', commands: ['explore'] },
  schedules: { flag: 'schedules', type: 'number', min: 1, max: 1_000_000, describe: 'random and pct: how many schedules to run', defaultText: '1000', commands: ['explore'] },
  depth: { flag: 'depth', type: 'number', min: 1, max: 100, describe: 'pct: the bug depth looked for (depth − 1 priority change points)', defaultText: '3', commands: ['explore'] },
  all: { flag: 'all', type: 'boolean', default: false, describe: 'go on after the first failing schedule and shrink every one', commands: ['explore'] },
  replay: { flag: 'replay', type: 'string', describe: 'run exactly the schedule with this ID (as explore printed it), with the same other flags', commands: ['explore'] },
  specOut: { flag: 'spec-out', type: 'string', describe: 'write the shrunk failing schedule as an isolation spec that race-rig spec replays (PostgreSQL)', commands: ['explore'] },
});
