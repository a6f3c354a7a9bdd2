/**
 * Hostile strings from a dataset, a model, a server or a log never reach the terminal as
 * escape sequences: not on the live screen, not in headless lines, not in error messages.
 * (OSC 52 writes the clipboard, OSC 0 the window title.) Markdown reports keep such text
 * inert: no live links, images or HTML.
 */
import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../source/app/App.js';
import { runHeadless } from '../../source/core/headless/index.js';
import { escapeMarkdownCell } from '../../source/core/session/report/escape.js';
import { renderReport } from '../../source/core/session/report/index.js';
import { FakeHandle } from '../app/fakeHandle.js';
import { engineInfo, model, record, snapshot } from '../app/fixtures.js';
import { renderAt, waitFor, type Rendered } from '../app/render.js';
import { fakeHeader, fakeRunEvents } from '../core/session/fake-run.js';

const OSC_TITLE = '\u001b]0;PWNED-TITLE\u0007';
const OSC_CLIPBOARD = '\u001b]52;c;cm0gLXJmIH4=\u0007';
const CSI_CLEAR = '\u001b[2J';
const hostile = (text: string) => `${OSC_TITLE}${text}${OSC_CLIPBOARD}${CSI_CLEAR}\u009b31m`;
/** Any escape or C1 control in terminal output (Ink's own colours are off: the test renderer prints no SGR). */
const ESCAPES = /[\u001b\u0007\u0080-\u009f]/;

const dir = mkdtempSync(join(tmpdir(), 'duet-terminal-'));

let mounted: Rendered | undefined;
afterEach(() => {
  mounted?.unmount();
  mounted = undefined;
});

const hostileSnapshot = () =>
  snapshot({
    models: {
      A: model('A', { info: engineInfo('A', { label: hostile('small'), model: hostile('m') }) }),
      B: model('B'),
    },
    recent: [{ seq: 1, model: 'A', question: hostile('Where is the lighthouse?'), prediction: hostile('on the cliff'), gold: [hostile('cliff')], hit: false, e2eMs: 120 }],
    slowest: [record(1, { question: hostile('Slowest question?'), prediction: hostile('slow answer'), error: hostile('server said no') })],
    warnings: [hostile('a server warning')],
  });

describe('the live screen', () => {
  it('shows dataset, model and server text without its escape sequences', async () => {
    const handle = new FakeHandle(hostileSnapshot());
    mounted = renderAt(<App handle={handle} mode="live" title={hostile('duet: profile')} tickMs={1000} />, { columns: 140, rows: 50 });
    await waitFor(() => mounted!.lastFrame().includes('lighthouse'));
    handle.emit({ type: 'warning', t: 1, message: hostile('transient warning') });
    await waitFor(() => mounted!.lastFrame().includes('transient warning'));
    const frame = mounted.lastFrame();
    expect(frame).toContain('Where is the lighthouse?');
    expect(frame).not.toMatch(ESCAPES);
    expect(frame).not.toContain('PWNED-TITLE');
  });
});

describe('headless lines', () => {
  it('status lines and the summary carry no escape sequence', async () => {
    const handle = new FakeHandle(hostileSnapshot());
    let out = '';
    const done = runHeadless(handle, { json: false, write: (text) => (out += text), intervalMs: 5 });
    await new Promise((r) => setTimeout(r, 30));
    handle.finish('finished');
    await done;
    expect(out).toContain('small');
    expect(out).not.toMatch(ESCAPES);
    let json = '';
    const handle2 = new FakeHandle(hostileSnapshot());
    const done2 = runHeadless(handle2, { json: true, write: (text) => (json += text), intervalMs: 5 });
    handle2.finish('finished');
    await done2;
    expect(json).not.toMatch(ESCAPES);
    for (const line of json.trimEnd().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });
});

describe('error messages', () => {
  it('an id with a newline and an escape in a dataset is one clean line on stderr', async () => {
    const id = `bad\n${OSC_TITLE}id`;
    const qa = { id, question: 'Where?', answers: [{ text: 'x', answer_start: 0 }], is_impossible: false };
    const dataset = join(dir, 'dup.json');
    writeFileSync(dataset, JSON.stringify({ version: 'v2.0', data: [{ title: 'T', paragraphs: [{ context: 'x y', qas: [qa, qa] }] }] }));
    const result = await execa('node', ['bin/duet.js', 'score', dataset, dataset], { reject: false, env: { NO_COLOR: '1' } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trimEnd()).toMatch(/^duet: .*dup\.json: data\[0\]\.paragraphs\[0\]\.qas\[1\]\.id: duplicate id "bad id"$/);
    expect(result.stderr).not.toMatch(ESCAPES);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  }, 30_000);
});

describe('telemetry tool output', () => {
  it('a hostile npu-smi cannot put escape sequences on the terminal through duet telemetry', async () => {
    const tool = join(dir, 'npu-smi');
    writeFileSync(tool, `#!/bin/sh\nprintf '\\033]0;PWNED-TITLE\\007\\033]52;c;cm0=\\007garbage from the tool\\n'\nexit 3\n`, { mode: 0o755 });
    const result = await execa('node', ['bin/duet.js', 'telemetry', '--source', 'npu-smi', '--npu-smi', tool, '--once'], { reject: false, env: { NO_COLOR: '1' } });
    expect(result.exitCode).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(ESCAPES);
    expect(`${result.stdout}${result.stderr}`).not.toContain('PWNED-TITLE');
  }, 30_000);
});

describe('Markdown reports', () => {
  it('dataset and model text cannot become live Markdown or HTML', () => {
    const cell = escapeMarkdownCell('![x](http://evil.example/p.png) <img src=http://evil.example/q.png> [link](javascript:alert(1)) **bold** `code` a|b');
    expect(cell).toBe('!\\[x\\](http://evil.example/p.png) &lt;img src=http://evil.example/q.png&gt; \\[link\\](javascript:alert(1)) \\*\\*bold\\*\\* \\`code\\` a\\|b');
  });

  it('a report of a log with hostile questions and answers has no image, tag or escape', () => {
    const events = fakeRunEvents({
      questions: 6,
      questionText: () => `![pwn](http://evil.example/i.png)<img src="http://evil.example/j.png">${OSC_TITLE}?`,
      prediction: () => `[click](http://evil.example)${OSC_CLIPBOARD}`,
    });
    const md = renderReport({ path: 'x.jsonl', header: fakeHeader(), events, warnings: [], complete: true }, 'md');
    // Escaped brackets (\\[, \\]) render as text; an unescaped ![ or ]( would be live.
    expect(md).not.toMatch(/(?<!\\)!\[|<img|(?<!\\)\]\(http/);
    expect(md).toContain('!\\[pwn\\](http://evil.example/i.png)&lt;img');
    expect(md).not.toMatch(ESCAPES);
  });
});
