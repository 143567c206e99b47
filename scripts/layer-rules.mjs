/**
 * The import rules of ARCHITECTURE.md ("Import rules"), one entry per arrow
 * that must never exist; `npm run lint:layers` (scripts/lint-layers.mjs)
 * checks every import of src/ against them.
 *
 * Paths are relative to the repository, with '/'. `from.path` and `to.path`
 * are regular expressions an import's file and its target must match,
 * `pathNot` ones they must not; `$1` in a `to` pattern stands for the first
 * group `from.path` captured (dependency-cruiser's convention). Type-only
 * imports count: they tie the layers together as much as any other.
 */

const models = '^src/(nn|analysis|word2vec)/';
const leaves = '^src/(io|datasets|plot|distributed)/|^src/(tensor|rng|options|sizes|shared-memory|inputs|init-weights)[.]ts$';

export const forbidden = [
  {
    // "A backend never imports a model layer. `src/backend/` imports only its
    // own files and the leaves `src/rng.ts`, `src/sizes.ts` and
    // `src/shared-memory.ts`": not nn/, analysis/, word2vec/, cli/, io/,
    // plot/, datasets/, tensor.ts, options.ts or index.ts.
    name: 'backend-imports-only-backend-and-its-leaves',
    from: { path: '^src/backend/' },
    to: { path: '^src/', pathNot: '^src/backend/|^src/(rng|sizes|shared-memory)[.]ts$' },
  },
  {
    // "`src/backend/js/` never imports `native.ts`": the TypeScript backend
    // must load without the addon.
    name: 'backend-js-never-imports-native',
    from: { path: '^src/backend/js/' },
    to: { path: '^src/backend/native[.]ts$' },
  },
  {
    // "Models reach numbers only through a `Backend` (`getBackend()` in
    // `backend/select.ts`), never through `backend/js/*` or the addon
    // directly." Today they import backend.ts, select.ts, errors.ts,
    // word2vec.ts, validate.ts and validate-word2vec.ts.
    name: 'models-never-import-a-backend-implementation',
    from: { path: models },
    to: { path: '^src/backend/(js/|native[.]ts$)' },
  },
  {
    // "Arrows point down only: `cli → nn | analysis | word2vec → backend`":
    // the three model layers sit side by side, so none imports another;
    // what two of them share belongs in a leaf (inputs.ts, init-weights.ts).
    name: 'models-import-no-other-model',
    from: { path: models },
    to: { path: models, pathNot: '^src/$1/' },
  },
  {
    // "Arrows point down only": cli/ is the top layer, nothing below it
    // (models, backend, leaves, index.ts) imports it.
    name: 'nothing-imports-cli',
    from: { path: '^src/', pathNot: '^src/cli/' },
    to: { path: '^src/cli/' },
  },
  {
    // "`datasets/`, `io/`, `plot/`, `tensor.ts`, `shared-memory.ts`,
    // `inputs.ts`, `init-weights.ts`, `rng.ts`, `options.ts` and `sizes.ts`
    // are leaves any model layer may
    // use (`plot/` draws from plain arrays and imports no model)": a leaf
    // imports no model layer (nor cli/: nothing-imports-cli).
    name: 'leaves-import-no-model',
    from: { path: leaves },
    to: { path: models },
  },
  {
    // "Arrows point down only": a cycle is an arrow pointing up somewhere.
    name: 'no-circular',
    to: { circular: true },
  },
];

/**
 * Arrows that break a rule today and are tolerated until the fix lands, each
 * with that fix. Every run lists them; a listed arrow that no longer exists
 * fails the run, so this list only shrinks. Do not add to it: fix the import.
 */
export const known = [
  // figure.ts calls rasterise and toSvg, which take its Figure and Shape
  // types: a type-only cycle, harmless at run time but still a tangle.
  ...['svg', 'raster'].map((file) => ({
    rule: 'no-circular',
    from: `src/plot/${file}.ts`,
    to: 'src/plot/figure.ts',
    fix: 'move the Figure and Shape types out of figure.ts into a file of their own',
  })),
];

/**
 * "`native/core/` includes no Node header": the core is plain C++17, built
 * alone by scripts/fuzz.sh. A header of Node, Node-API (napi.h, node_api.h
 * and the js_native_api.h under them), libuv or V8 is refused by name; a
 * quoted include must name a file of native/core by its path from the
 * including file, so no core file reaches native/napi/ and, through it,
 * those headers.
 */
export const core = {
  dir: 'native/core',
  nodeHeader: /^(napi(-inl)?|node(_api(_types)?|_buffer|_object_wrap|_version)?|js_native_api(_types)?|uv|v8)[.]h$|^(uv|v8|cppgc)[/-]/,
};
