/**
 * No Docker engine runs where the tests run, so the image and compose files are checked by what
 * can run: every path they name exists, the entrypoint is the one the end-to-end suite starts, and
 * drachtio-server's preserve list in compose is the one the preset rules need.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { presetRules } from '../test/fixtures.js';

const root = new URL('../', import.meta.url).pathname;
const dockerfile = readFileSync(join(root, 'docker/Dockerfile'), 'utf8');
const compose = readFileSync(join(root, 'docker/compose.yml'), 'utf8');

describe('docker files', () => {
  it('copy only paths that exist in the repository', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => (m[1] as string).split(/\s+/));
    expect(sources.length).toBeGreaterThan(3);
    for (const s of sources) expect(existsSync(join(root, s)), s).toBe(true);
  });

  it('start the entrypoint the end-to-end suite starts, and it is executable', () => {
    expect(dockerfile).toContain('ENTRYPOINT ["/app/docker/entrypoint.sh"]');
    expect(readFileSync(join(root, 'test/sipp/stack.ts'), 'utf8')).toContain("join(ROOT, 'docker/entrypoint.sh')");
    accessSync(join(root, 'docker/entrypoint.sh'), constants.X_OK);
  });

  it('compose builds this Dockerfile and mounts the rules file', () => {
    expect(compose).toContain('dockerfile: docker/Dockerfile');
    expect(compose).toContain('- ../config/rules.json:/app/config/rules.json:ro');
    expect(existsSync(join(root, 'config/rules.json'))).toBe(true);
  });

  it("compose's default preserve list for drachtio-server is what the preset rules emit", () => {
    const preserve = /DRACHTIO_PRESERVE_HEADER_NAMES: "\$\{PRESERVE_HEADER_NAMES:-([^}]*)\}"/.exec(compose)?.[1];
    expect(preserve).toBe(presetRules().emittedNames.join(','));
  });
});
