import { describe, expect, it } from 'vitest';
import { formatTimeline } from '../../src/report/format-timeline.js';
import { committedWrites, lostWrites } from '../../src/timeline/analyze.js';
import { statementKind } from '../../src/timeline/recorder.js';
import type { TimelineEvent } from '../../src/timeline/types.js';

const READ = 'SELECT counter, version FROM user_counter WHERE user_id = $1';
const WRITE = 'UPDATE user_counter SET counter = $2 WHERE user_id = $1';

function event(worker: number, kind: TimelineEvent['kind'], startMs: number, detail = '', extra: Partial<TimelineEvent> = {}): TimelineEvent {
  const sql = kind === 'read' ? READ : kind === 'write' ? WRITE : kind === 'begin' ? 'BEGIN' : kind === 'commit' ? 'COMMIT' : null;
  return { worker, operation: 0, attempt: 0, kind, sql, detail, rows: kind === 'retry' ? null : 1, startMs, endMs: startMs + 1, failed: false, ...extra };
}

/** The TaskRunner picture: both workers read 41, both write 42. */
const interleaved = [
  event(0, 'read', 1000, 'counter=41'),
  event(1, 'read', 1000.5, 'counter=41'),
  event(0, 'write', 1002, '$1=1 $2=42'),
  event(1, 'write', 1003, '$1=1 $2=42'),
];

describe('timeline analysis', () => {
  it('classifies statements by what they do', () => {
    expect(statementKind('BEGIN ISOLATION LEVEL SERIALIZABLE')).toBe('begin');
    expect(statementKind('SELECT counter FROM t WHERE id = $1 FOR NO KEY UPDATE')).toBe('lock');
    expect(statementKind('SELECT pg_advisory_xact_lock(1, $1)')).toBe('lock');
    expect(statementKind(READ)).toBe('read');
    expect(statementKind(WRITE)).toBe('write');
    expect(statementKind('COMMIT')).toBe('commit');
  });

  it('finds the write that erased another worker\'s write of the same values', () => {
    const lost = lostWrites(interleaved);

    expect(lost).toHaveLength(1);
    expect(lost[0]?.overwritten.worker).toBe(0);
    expect(lost[0]?.by.worker).toBe(1);
  });

  it('ignores writes that were rolled back or changed nothing', () => {
    const rolledBack = [
      event(0, 'begin', 1000),
      event(0, 'read', 1001, 'counter=41'),
      event(1, 'begin', 1001),
      event(1, 'read', 1001.5, 'counter=41'),
      event(0, 'write', 1002, '$1=1 $2=42'),
      event(0, 'commit', 1003),
      event(1, 'write', 1004, '$1=1 $2=42', { failed: true, rows: null }),
      event(1, 'retry', 1005, 'serialization'),
    ];
    const optimistic = [...interleaved.slice(0, 3), event(1, 'write', 1003, '$1=1 $2=42', { rows: 0 })];

    expect(committedWrites(rolledBack)).toHaveLength(1);
    expect(lostWrites(rolledBack)).toEqual([]);
    expect(lostWrites(optimistic)).toEqual([]);
  });

  it('draws the workers as lines and marks the erasing write', () => {
    const text = formatTimeline(interleaved);

    expect(text).toContain('1 lost write in 2 recorded operations');
    expect(text).toMatch(/^ {2}w0 +\|R/m);
    expect(text).toMatch(/^ {2}w1 +\|.*!/m);
    expect(text).toContain("same values as w0's write: w0's update is lost");
    expect(text.match(/read +counter=41/g)).toHaveLength(2);
  });
});
