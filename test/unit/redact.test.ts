import { describe, expect, it } from 'vitest';
import { passwordOf, redactUrl, scrubSecrets } from '../../src/redact.js';

describe('password redaction', () => {
  it('masks the password of a connection URL and keeps the rest', () => {
    expect(redactUrl('postgres://alice:s3cr%40t@db.example:5433/shop?sslmode=require')).toBe(
      'postgres://alice:***@db.example:5433/shop?sslmode=require',
    );
    expect(redactUrl('postgres://alice@db/shop')).toBe('postgres://alice@db/shop');
  });

  it('does not echo a string it cannot parse', () => {
    expect(redactUrl('not a url with pw')).toBe('<connection string not shown>');
  });

  it('finds the decoded password and scrubs both its raw and encoded forms', () => {
    const password = passwordOf('postgres://alice:s3cr%40t@db/shop');

    expect(password).toBe('s3cr@t');
    expect(scrubSecrets('failed for s3cr@t and s3cr%40t', [password ?? ''])).toBe('failed for *** and ***');
  });
});
