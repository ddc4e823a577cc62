import { describe, expect, it } from '@jest/globals';
import { dockerfileCandidate, finalStageLabels, looksLikeDockerfile, parseDockerfile } from '../../src/manifests/index.js';
import { substitute } from '../../src/manifests/dockerfile.js';

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

  it('dockerfile - stages with their bases (global ARGs substituted, defaults for unset ones, unknown ones as written), names and lines', () => {
    expect(errors).toEqual([]);
    expect(fact!.stages!.map((s) => [s.index, s.name, s.base, s.base_stage, s.platform, s.line])).toEqual([
      // BUILDPLATFORM is BuildKit's, known at build time only.
      [0, 'build', 'golang:1.26', '', '$BUILDPLATFORM', 4],
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
    // PATH comes from the base image: unknown here, so it stays as written.
    expect(legacy.variables).toEqual({ PATH: '/usr/local/bin:$PATH' });
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
      'VIGIL_ERR_DOCKERFILE_SYNTAX: bad/Dockerfile, line 1: RUN before the first FROM',
      'VIGIL_ERR_DOCKERFILE_SYNTAX: bad/Dockerfile, line 3: heredoc <<EOF is never closed',
    ]);
    expect(f!.stages).toHaveLength(1);
    expect(parseDockerfile('# nothing\n', 'empty/Dockerfile').errors.map((x) => x.code)).toEqual(['VIGIL_ERR_DOCKERFILE_SYNTAX']);
  });

  it('dockerfile - recognised by name (Dockerfile, Containerfile) or, for Dockerfile.* and *.Dockerfile, by a first FROM too', () => {
    expect(['Dockerfile', 'Dockerfile.prod', 'api.Dockerfile', 'api.dockerfile', 'Containerfile'].map(dockerfileCandidate)).toEqual([true, true, true, true, true]);
    expect(['dockerfile.ts', 'dockerfile.rego', 'Dockerfile.dockerignore', 'notes.txt'].map(dockerfileCandidate)).toEqual([false, false, false, false]);
    expect(looksLikeDockerfile('Dockerfile', '')).toBe(true);
    expect(looksLikeDockerfile('Dockerfile.md', '# Notes\nSome text\n')).toBe(false);
    expect(looksLikeDockerfile('build.txt', '# comment\nFROM scratch\n')).toBe(true);
    expect(looksLikeDockerfile('notes.txt', 'hello\nFROM x\n')).toBe(false);
  });

  it('dockerfile - a line ending in the escape character continues, even after another one', () => {
    const { fact: f } = parseDockerfile('FROM alpine:3.20\nRUN echo a \\\\\nUSER app\n', 'Dockerfile');
    expect(f!.stages![0]!.instructions!.map((i) => i.keyword)).toEqual(['RUN']);
  });

  it('dockerfile - heredocs open only on RUN, COPY and ADD, at the start of a word', () => {
    const { fact: f, errors: e } = parseDockerfile('FROM alpine:3.20\nLABEL d="a<<EOF"\nRUN python3 -c "print(1<<N)"\nUSER app\n', 'Dockerfile');
    expect(e).toEqual([]);
    expect(f!.stages![0]!.instructions!.map((i) => i.keyword)).toEqual(['LABEL', 'RUN', 'USER']);
  });

  it('dockerfile - an ARG known only at build time stays as written; quoted label keys are unquoted', () => {
    const { fact: f, errors: e } = parseDockerfile('ARG BASE\nARG TAG\nFROM $BASE\nFROM python:${TAG}\nLABEL "vigil.dev/exceptions"="VGL-DKF-001: reason"\n', 'Dockerfile');
    expect(e).toEqual([]);
    expect(f!.stages!.map((s) => s.base)).toEqual(['$BASE', 'python:${TAG}']);
    expect(finalStageLabels(f!)).toEqual({ 'vigil.dev/exceptions': 'VGL-DKF-001: reason' });
  });

  it('dockerfile - a stage built on an earlier one inherits its labels; the lineage is recorded', () => {
    const { fact: f } = parseDockerfile('FROM alpine:3.20 AS base\nLABEL a=1 b=1\nFROM base AS mid\nLABEL b=2\nFROM mid\n', 'Dockerfile');
    expect(f!.stages!.map((s) => s.lineage)).toEqual([[], [0], [1, 0]]);
    expect(finalStageLabels(f!)).toEqual({ a: '1', b: '2' });
  });

  it('dockerfile - substitution is one linear pass, even over unclosed ${', () => {
    const vars = new Map([['A', 'x']]);
    expect(substitute('${A}-$A-${B:-d}-${A:+y}-\\$A-${B}', vars)).toBe('x-x-d-y-$A-${B}');
    const hostile = '${a:-'.repeat(200_000);
    const t0 = Date.now();
    expect(substitute(hostile, vars)).toBe(hostile);
    expect(Date.now() - t0).toBeLessThan(2_000);
    const spaces = `FROM alpine:3.20\nRUN echo${' '.repeat(500_000)}x\n`;
    const t1 = Date.now();
    expect(parseDockerfile(spaces, 'Dockerfile').errors).toEqual([]);
    expect(Date.now() - t1).toBeLessThan(2_000);
  });
});
