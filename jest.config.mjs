// Tests are written in TypeScript and run from their compiled form in dist/,
// so what is tested is exactly what ships (scripts/build.sh compiles both).
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/dist'],
  testMatch: ['**/*.test.js'],
  moduleFileExtensions: ['js', 'mjs', 'json'],
  transform: {},
  testTimeout: 60_000,
  maxWorkers: 2,
  verbose: true,
};
