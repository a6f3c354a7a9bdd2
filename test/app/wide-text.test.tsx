import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { Screen } from '../../source/app/Screen.js';
import { initialUiState } from '../../source/app/state.js';
import { snapshot } from './fixtures.js';
import { renderAt } from './render.js';

describe('wide characters on the screen', () => {
  it.each([
    [120, 40],
    [80, 24],
  ])('keep every line of the frame within %i columns (ticker with CJK and emoji)', (cols, rows) => {
    const recent = [
      { seq: 1, model: 'A' as const, question: '北京大学的历史有多长？北京大学的历史有多长？', prediction: '一百二十多年的历史', gold: ['一百二十年'], hit: false, e2eMs: 412 },
      { seq: 2, model: 'B' as const, question: 'Which 🐍 emoji 🐍🐍 names the 🐍 language?', prediction: 'Python 🐍🐍🐍🐍🐍🐍', gold: ['Python'], hit: true, e2eMs: 950 },
    ];
    const s = renderAt(<Screen snapshot={snapshot({ recent })} ui={initialUiState} mode="live" title="default" columns={cols} rows={rows} />, { columns: cols, rows });
    const lines = s.lines();
    const wide = lines.filter((l) => l.includes('北京') || l.includes('🐍'));
    expect(wide).toHaveLength(2);
    for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(cols);
    // Columns are laid out by terminal width: the last one (gold) is still on the line, not pushed out of view.
    for (const line of wide) expect(line).toMatch(/gold (Python|一百二十年)/);
    s.unmount();
  });
});
