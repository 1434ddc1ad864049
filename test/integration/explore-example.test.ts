import { expect, it } from 'vitest';
import { exploreRace } from 'race-rig';

it('the booking code never double-books, in any interleaving of two customers', async () => {
  const result = await exploreRace({ scenario: './examples/seat-booking.js', mode: 'unique' });
  expect(result.found).toBe(false);
  expect(result.interleavings).toBe(result.schedules);
});
