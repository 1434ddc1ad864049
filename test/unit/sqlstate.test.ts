import { describe, expect, it } from 'vitest';
import { failureKindOf, isConnectionLost, sqlstateOf } from '../../src/engines/postgres/sqlstate.js';

describe('SQLSTATE classification', () => {
  it('reads the code of a driver error and nothing else', () => {
    expect(sqlstateOf(Object.assign(new Error('x'), { code: '40001' }))).toBe('40001');
    expect(sqlstateOf(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBeNull();
    expect(sqlstateOf('40001')).toBeNull();
  });

  it('classifies by code, never by message', () => {
    expect(failureKindOf('40001')).toBe('serialization');
    expect(failureKindOf('40P01')).toBe('deadlock');
    expect(failureKindOf('23505')).toBe('other');
    expect(failureKindOf(null)).toBe('other');
  });

  it('knows which errors end the connection', () => {
    expect(isConnectionLost(null)).toBe(true);
    expect(isConnectionLost('57P01')).toBe(true);
    expect(isConnectionLost('08006')).toBe(true);
    expect(isConnectionLost('40001')).toBe(false);
    expect(isConnectionLost('55P03')).toBe(false);
  });
});
