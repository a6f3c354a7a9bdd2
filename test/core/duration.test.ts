import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../source/core/duration.js';
import { UserError } from '../../source/core/errors.js';

describe('parseDuration', () => {
  it('converts each unit to milliseconds', () => {
    expect(parseDuration('500ms', '--interval')).toBe(500);
    expect(parseDuration('1s', '--interval')).toBe(1000);
    expect(parseDuration('1.5s', '--interval')).toBe(1500);
    expect(parseDuration('2m', '--interval')).toBe(120_000);
    expect(parseDuration('1h', '--interval')).toBe(3_600_000);
    expect(parseDuration(' 1m30s ', '--interval')).toBe(90_000);
    expect(parseDuration('0s', '--idle-baseline')).toBe(0);
  });

  it('refuses bare numbers, unknown units and junk with a message naming the setting', () => {
    for (const bad of ['5', '', '1d', 's', '1s junk', '-1s', 'fast']) {
      expect(() => parseDuration(bad, '--timeout')).toThrow(UserError);
    }
    expect(() => parseDuration('5', '--timeout')).toThrow('--timeout: expected a duration like 500ms, 1s, 2m or 1m30s, got "5"');
  });
});
