// Tests are written in TypeScript and run from their compiled form in dist/,
// so what is tested is exactly what ships (scripts/build.sh compiles both).
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/dist'],
  testMatch: ['**/*.test.js'],
  moduleFileExtensions: ['js', 'mjs', 'json'],
  transform: {},
  testTimeout: 60_000,
  // One suite at a time: the whole-system suites share one Docker engine and kernel, and
  // runtime events from one suite's containers must not land in another's assertions.
  maxWorkers: 1,
  verbose: true,
};
