import { describe, expect, it } from '@jest/globals';
import { looksLikeDockerfile, parseDockerfile } from '../../src/manifests/index.js';

const MULTI_STAGE = [
  '# syntax=docker/dockerfile:1',
  'ARG GO=1.26',
  'ARG REGISTRY',
  'FROM --platform=$BUILDPLATFORM golang:${GO} AS build',
  'ARG GO',
  'ENV CGO_ENABLED=0 OUT="/out/my app"',
  'WORKDIR /src',
  'RUN --mount=type=cache,target=/root/.cache \\',
  '    # a comment inside the continuation is dropped',
  '    go build -o "$OUT" ./cmd/app',
  'COPY <<-EOF /etc/app.conf',
  '\tlisten=:8080',
  '\tEOF',
  '',
  'FROM ${REGISTRY:-docker.io}/library/alpine:3.20',
  'ENV PATH /usr/local/bin:$PATH',
  'COPY --from=build --chown=10001:10001 --chmod=0755 ["/out/my app", "/usr/local/bin/app"]',
  'RUN <<"SCRIPT"',
  'echo "$HOME" > /tmp/home',
  'SCRIPT',
  'USER 10001',
  '',
].join('\n');

describe('manifests - Dockerfile parser', () => {
  const { fact, errors } = parseDockerfile(MULTI_STAGE, 'Dockerfile');

  it('dockerfile - stages with their bases (global ARGs substituted, defaults for unset ones), names and lines', () => {
    expect(errors).toEqual([]);
    expect(fact!.stages!.map((s) => [s.index, s.name, s.base, s.base_stage, s.platform, s.line])).toEqual([
      [0, 'build', 'golang:1.26', '', '', 4],
      [1, '', 'docker.io/library/alpine:3.20', '', '', 15],
    ]);
  });

  it('dockerfile - instructions keep their first and last lines; continuation comments are dropped', () => {
    const run = fact!.stages![0]!.instructions!.find((i) => i.keyword === 'RUN')!;
    expect([run.line, run.end_line]).toEqual([8, 10]);
    expect(run.arguments).toBe('go build -o "$OUT" ./cmd/app');
    expect(run.flags).toEqual([{ name: 'mount', value: 'type=cache,target=/root/.cache' }]);
  });

  it('dockerfile - ARG and ENV variables, a stage ARG taking the global default, ENV in both forms', () => {
    const [arg, env] = fact!.stages![0]!.instructions!;
    expect(arg!.variables).toEqual({ GO: '1.26' });
    expect(env!.variables).toEqual({ CGO_ENABLED: '0', OUT: '/out/my app' });
    const legacy = fact!.stages![1]!.instructions![0]!;
    expect(legacy.variables).toEqual({ PATH: '/usr/local/bin:' });
  });

  it('dockerfile - heredocs (<<- strips tabs, quoted delimiters) and the exec form, flags --from, --chown, --chmod', () => {
    const copyConf = fact!.stages![0]!.instructions!.find((i) => i.keyword === 'COPY')!;
    expect(copyConf.heredocs).toEqual([{ name: 'EOF', content: 'listen=:8080\n' }]);
    expect([copyConf.line, copyConf.end_line]).toEqual([11, 13]);
    const [, copy, run, user] = fact!.stages![1]!.instructions!;
    expect(copy!.flags).toEqual([
      { name: 'from', value: 'build' },
      { name: 'chown', value: '10001:10001' },
      { name: 'chmod', value: '0755' },
    ]);
    expect(copy!.exec_form).toEqual(['/out/my app', '/usr/local/bin/app']);
    expect(run!.heredocs).toEqual([{ name: 'SCRIPT', content: 'echo "$HOME" > /tmp/home\n' }]);
    expect([user!.keyword, user!.arguments, user!.line]).toEqual(['USER', '10001', 21]);
  });

  it('dockerfile - the escape directive switches the continuation character', () => {
    const { fact: windows } = parseDockerfile('# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n    c:\\\n', 'Dockerfile');
    expect(windows!.stages![0]!.instructions![0]!.arguments).toBe('dir     c:\\');
  });

  it('dockerfile - an earlier stage as base; a stage name is case-insensitive', () => {
    const { fact: f } = parseDockerfile('FROM alpine:3.20 AS Base\nFROM base\nRUN true\n', 'Dockerfile');
    expect(f!.stages![1]!.base_stage).toBe('Base');
  });

  it('dockerfile - what it cannot read is an error with its line; the rest is still read', () => {
    const { fact: f, errors: e } = parseDockerfile('RUN echo early\nFROM alpine:3.20\nRUN <<EOF\necho never closed\n', 'bad/Dockerfile');
    expect(e.map((x) => x.message)).toEqual([
      'bad/Dockerfile, line 1: RUN before the first FROM',
      'bad/Dockerfile, line 3: heredoc <<EOF is never closed',
    ]);
    expect(f!.stages).toHaveLength(1);
    expect(parseDockerfile('# nothing\n', 'empty/Dockerfile').errors.map((x) => x.code)).toEqual(['VIGIL_ERR_DOCKERFILE_SYNTAX']);
  });

  it('dockerfile - recognised by name (Dockerfile, *.Dockerfile, Containerfile) or by a first FROM', () => {
    expect(['Dockerfile', 'Dockerfile.prod', 'api.dockerfile', 'Containerfile'].map((n) => looksLikeDockerfile(n))).toEqual([true, true, true, true]);
    expect(looksLikeDockerfile('build.txt', '# comment\nFROM scratch\n')).toBe(true);
    expect(looksLikeDockerfile('notes.txt', 'hello\nFROM x\n')).toBe(false);
  });
});
