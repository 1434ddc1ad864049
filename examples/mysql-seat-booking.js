// The double booking on MySQL or MariaDB, a scenario written outside race-rig: run it with
//   node dist/rig.js --engine mysql --scenario ./examples/mysql-seat-booking.js --mode check-then-insert
// The same interface as on PostgreSQL; the worker gets a mysql2 connection and `sql` (MysqlStatements).

/** @typedef {import('race-rig').MysqlScenario} MysqlScenario */

const SEATS = 10;
/** ER_DUP_ENTRY: the UNIQUE key refused a second booking of the seat. */
const DUPLICATE_KEY = 1062;

/** @type {MysqlScenario} */
export default {
  name: 'seat-booking',
  summary: 'Every worker tries to book every seat of a show (double booking), on InnoDB.',
  engine: 'mysql',
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
      summary: 'A UNIQUE key on the seat: the second booking fails with 1062 and is refused.',
      outcome: 'correct',
      retries: false,
    },
  ],

  async setup(db, { mode }) {
    await db.query(`CREATE TABLE bookings (
      seat INT NOT NULL ${mode === 'unique' ? 'UNIQUE' : ''},
      customer INT NOT NULL
    ) ENGINE=InnoDB`);
  },

  worker({ mode, worker, sql }) {
    const book = async (seat) => {
      await sql.simple('START TRANSACTION');
      try {
        if (mode === 'check-then-insert') {
          const taken = await sql.row(`SELECT COUNT(*) AS n, ${sql.serverNow} FROM bookings WHERE seat = ?`, [seat]);
          if (taken.n > 0) {
            await sql.simple('ROLLBACK');
            return { outcome: 'refused' };
          }
        }
        await sql.run('INSERT INTO bookings (seat, customer) VALUES (?, ?)', [seat, worker]);
        await sql.simple('COMMIT');
        return { outcome: 'booked' };
      } catch (error) {
        if (error.errno !== DUPLICATE_KEY) throw error;
        await sql.simple('ROLLBACK');
        return { outcome: 'refused' };
      }
    };
    return { attempt: (iteration) => book(iteration % SEATS) };
  },

  async verify(db) {
    const [rows] = await db.query(`SELECT COUNT(*) AS overbooked
      FROM (SELECT seat FROM bookings GROUP BY seat HAVING COUNT(*) > 1) AS seats`);
    const overbooked = Number(rows[0].overbooked);
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
