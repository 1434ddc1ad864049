import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { testDatabaseUrl } from '../helpers/database.js';

// Every anomaly at every level, twice (text and JSON): some twenty seconds of CLI runs.
describe('race-rig isolation, the whole matrix', () => {
  it('prints the complete anomaly matrix, and the JSON with every cell and its interleaving', async () => {
    const text = await runCli(['isolation', '--db', testDatabaseUrl()]);
    const json = await runCli(['isolation', '--json', '--db', testDatabaseUrl()]);
    const matrix = JSON.parse(json.stdout);

    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/│ P4 +│ lost update +│ OCCURS +│ prevented \(serialization failure\) +│ prevented \(serialization failure\) +│/);
    expect(text.stdout).toMatch(/│ G2-item +│ write skew +│ OCCURS +│ OCCURS +│ prevented \(serialization failure\) +│/);
    expect(matrix.levels).toEqual(['read-committed', 'repeatable-read', 'serializable']);
    expect(matrix.anomalies.map((row: { id: string }) => row.id)).toEqual(['G0', 'G1a', 'G1b', 'G1c', 'OTV', 'PMP', 'P4', 'G-single', 'G2-item', 'G2']);
    for (const row of matrix.anomalies) {
      for (const level of matrix.levels) expect(row.cells[level].permutation.steps.length, `${row.id} ${level}`).toBeGreaterThan(3);
    }
  });
});
