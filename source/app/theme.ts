import { createContext } from 'react';

/**
 * Semantic colours, in one place. Panels ask for `theme.good`, never for "green".
 * With NO_COLOR set (any non-empty value, https://no-color.org) every colour is
 * undefined, so Ink prints plain text; emphasis (bold, inverse) stays.
 */

export type Colour = string | undefined;

export interface Theme {
  noColor: boolean;
  /** Percentile markers, as in TGI's benchmark: p50 green, p90 yellow, p99 red. */
  p50: Colour;
  p90: Colour;
  p99: Colour;
  good: Colour;
  warn: Colour;
  bad: Colour;
  accent: Colour;
  muted: Colour;
  bar: Colour;
  modelA: Colour;
  modelB: Colour;
  /** Background of badges (SYNTHETIC, PAUSED, REPLAY). */
  badgeWarn: Colour;
  badgeInfo: Colour;
  /** Timing phases in the slowest-requests view. */
  phases: { pre: Colour; queue: Colour; ttft: Colour; decode: Colour; post: Colour };
}

const colours: Omit<Theme, 'noColor'> = {
  p50: 'green',
  p90: 'yellow',
  p99: 'red',
  good: 'green',
  warn: 'yellow',
  bad: 'red',
  accent: 'cyan',
  muted: 'gray',
  bar: 'blue',
  modelA: 'cyan',
  modelB: 'magenta',
  badgeWarn: 'yellow',
  badgeInfo: 'cyan',
  phases: { pre: 'gray', queue: 'yellow', ttft: 'magenta', decode: 'blue', post: 'green' },
};

export function createTheme(noColor: boolean): Theme {
  if (!noColor) return { noColor, ...colours };
  return {
    noColor,
    p50: undefined,
    p90: undefined,
    p99: undefined,
    good: undefined,
    warn: undefined,
    bad: undefined,
    accent: undefined,
    muted: undefined,
    bar: undefined,
    modelA: undefined,
    modelB: undefined,
    badgeWarn: undefined,
    badgeInfo: undefined,
    phases: { pre: undefined, queue: undefined, ttft: undefined, decode: undefined, post: undefined },
  };
}

/** NO_COLOR counts when present and non-empty. */
export function noColorFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env['NO_COLOR'];
  return value !== undefined && value !== '';
}

export const ThemeContext = createContext<Theme>(createTheme(noColorFromEnv()));
