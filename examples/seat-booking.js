// A scenario written outside race-rig: run it with
//   node dist/rig.js --scenario ./examples/seat-booking.js --mode check-then-insert
// It exports the same interface the built-in scenarios implement (see the README).

/** @typedef {import('race-rig').Scenario} Scenario */

const SEATS = 10;

/** @type {Scenario} */
export default {
  name: 'seat-booking',
  summary: 'Every worker tries to book every seat of a show (double booking).',
  unit: { one: 'booking', many: 'bookings' },
  modes: [
    {
      name: 'check-then-insert',
      summary: 'SELECT whether the seat is taken, INSERT the booking if not: two customers see a free seat and both book it.',
      outcome: 'race',
      retries: false,
    },
    {
      name: 'unique',
      summary: 'A UNIQUE constraint on the seat: the second booking fails with 23505 and is refused.',
      outcome: 'correct',
      retries: false,
    },
  ],

  async setup(db, { mode }) {
    await db.query(`CREATE TABLE bookings (
      seat integer NOT NULL ${mode === 'unique' ? 'UNIQUE' : ''},
      customer integer NOT NULL
    )`);
  },

  worker({ mode, worker, sql }) {
    const book = async (seat) => {
      await sql.simple('BEGIN');
      try {
        if (mode === 'check-then-insert') {
          const taken = await sql.row(`SELECT count(*)::integer AS n, ${sql.serverNow} FROM bookings WHERE seat = $1`, [seat]);
          if (taken.n > 0) {
            await sql.simple('ROLLBACK');
            return { outcome: 'refused' };
          }
        }
        await sql.run('INSERT INTO bookings (seat, customer) VALUES ($1, $2)', [seat, worker]);
        await sql.simple('COMMIT');
        return { outcome: 'booked' };
      } catch (error) {
        if (error.code !== '23505') throw error;
        await sql.simple('ROLLBACK');
        return { outcome: 'refused' };
      }
    };
    return { attempt: (iteration) => book(iteration % SEATS) };
  },

  async verify(db) {
    const { rows } = await db.query(`SELECT count(*)::integer AS overbooked
      FROM (SELECT seat FROM bookings GROUP BY seat HAVING count(*) > 1) AS seats`);
    const overbooked = rows[0].overbooked;
    return {
      holds: overbooked === 0,
      invariant: 'no seat is booked twice',
      message: overbooked === 0 ? 'every seat has at most one booking' : `${overbooked} of ${SEATS} seats are booked more than once`,
      quantity: 'seats booked more than once',
      expected: 0,
      actual: overbooked,
    };
  },
};
