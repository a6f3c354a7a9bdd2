import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The import graph of source/, read with TypeScript's own pre-processor (static, type-only,
 * re-export and dynamic imports alike). A room of source/core is a first-level folder or a
 * file directly in it (events.ts is the room "events").
 */

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts|mjs)$/.test(name) ? [path] : [];
  });
}

interface Import {
  from: string;
  /** The specifier as written, and (for a relative one) the path it names, relative to the repository. */
  specifier: string;
  to?: string;
}

const imports: Import[] = sourceFiles('source').flatMap((from) =>
  ts.preProcessFile(readFileSync(from, 'utf8'), true, true).importedFiles.map(({ fileName: specifier }) => ({
    from,
    specifier,
    ...(specifier.startsWith('.') ? { to: relative('.', resolve(dirname(from), specifier)) } : {}),
  })),
);

const roomOf = (path: string) => relative('source/core', path).split('/')[0]!.replace(/\.(js|ts|tsx)$/, '');
const inCore = (path: string | undefined): path is string => path !== undefined && path.startsWith('source/core/');

/**
 * source/core's rooms from the floor up: a room may import its own layer and the layers
 * below it, never one above. A new room must be placed here.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['errors', 'duration', 'secrets', 'files', 'text', 'clock'],
  ['profile'],
  ['dataset'],
  ['eval'],
  ['query'],
  ['telemetry', 'plane'],
  ['events'],
  ['metrics'],
  ['results'],
  ['scheduler'],
  ['engines'],
  ['serve'],
  ['launch'],
  ['controller'],
  ['headless'],
  ['session'],
  ['run'],
  ['exporter', 'doctor'],
  ['sweep'],
];
const layerOf = new Map(LAYERS.flatMap((rooms, layer) => rooms.map((room) => [room, layer] as const)));

/**
 * The upward imports there are today, each for a concept kept in the wrong room. Fixing one
 * means deleting its line here (the test says so); a new one fails.
 */
const ALLOWED_UPWARD: Record<string, string> = {
  'dataset -> engines': 'ChatMessage is defined in engines/engine.ts; it belongs to the prompt builder',
  'query -> engines': 'ModelSlot is defined in engines/engine.ts, not on a floor every layer may use',
  'telemetry -> engines': 'ModelSlot (see query -> engines)',
  'telemetry -> events': 'telemetry sources emit RunEvents rather than samples',
  'plane -> engines': 'the client worker parses streams with engines/openai/decoder.ts',
  'events -> engines': 'ModelSlot, EngineInfo and ReplicaStats are defined by the engines',
  'metrics -> engines': 'ModelSlot and EngineInfo (see events -> engines)',
  'scheduler -> engines': 'ModelSlot (see query -> engines)',
  'engines -> run': 'engine warnings wait in run/held-events.ts until the run starts',
};

/** Room-to-room edges of source/core, each with the imports that make it. */
function coreEdges(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const { from, to } of imports) {
    if (!inCore(from) || !inCore(to) || roomOf(from) === roomOf(to)) continue;
    const edge = `${roomOf(from)} -> ${roomOf(to)}`;
    edges.set(edge, [...(edges.get(edge) ?? []), `${from} imports ${to}`]);
  }
  return edges;
}

/** Rooms on a cycle (strongly connected components of more than one room), Tarjan's algorithm. */
function cycles(edges: Iterable<string>): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    const [a, b] = edge.split(' -> ') as [string, string];
    next.set(a, [...(next.get(a) ?? []), b]);
    if (!next.has(b)) next.set(b, []);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      component.push(w);
      if (w === v) break;
    }
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('architecture', () => {
  it('reads the graph: every file is seen and relative imports are resolved', () => {
    expect(imports.filter((i) => inCore(i.from)).length).toBeGreaterThan(500);
    expect(coreEdges().get('run -> metrics')?.length).toBeGreaterThan(0);
  });

  it('keeps the core headless: nothing under source/core imports ink, react, the app or the commands', () => {
    const offenders = imports.filter(({ from, specifier, to }) => inCore(from) && (/^(ink|react)(\/|$)|^ink-/.test(specifier) || /^source\/(app|commands)\//.test(to ?? '')));
    expect(offenders).toEqual([]);
  });

  it('the screen never imports a command', () => {
    expect(imports.filter(({ from, to }) => from.startsWith('source/app/') && to?.startsWith('source/commands/'))).toEqual([]);
  });

  it('places every room of source/core in a layer', () => {
    const rooms = new Set(sourceFiles('source/core').map(roomOf));
    expect([...rooms].filter((room) => !layerOf.has(room))).toEqual([]);
  });

  it('no room imports a room above it, except the upward imports listed (and each listed one still exists)', () => {
    const edges = coreEdges();
    const upward = [...edges.keys()].filter((edge) => {
      const [a, b] = edge.split(' -> ') as [string, string];
      return layerOf.get(b)! > layerOf.get(a)!;
    });
    const unlisted = upward.filter((edge) => !(edge in ALLOWED_UPWARD)).map((edge) => ({ edge, because: edges.get(edge) }));
    expect(unlisted, 'an import points up a layer: import from below, or move the shared thing down').toEqual([]);
    const gone = Object.keys(ALLOWED_UPWARD).filter((edge) => !upward.includes(edge));
    expect(gone, 'these upward imports are gone: delete them from ALLOWED_UPWARD').toEqual([]);
  });

  it('no cycle between rooms besides those through a listed upward import', () => {
    const edges = [...coreEdges().keys()].filter((edge) => !(edge in ALLOWED_UPWARD));
    expect(cycles(edges)).toEqual([]);
  });

  it('finds cycles (the check above can fail)', () => {
    expect(cycles(['a -> b', 'b -> c', 'c -> a', 'c -> d'])).toEqual([['a', 'b', 'c']]);
    expect(cycles(['a -> b', 'b -> c'])).toEqual([]);
  });
});
