export { generateNatsConfig, readSeed, type GeneratedNatsConfig, type Identity, type NatsConfigOptions } from './generate.js';
export { alertsPermissions, collectorPermissions, consolePermissions, enginePermissions, forwardPermissions, inboxPrefixFor, policyPermissions, type Permissions, type Role } from './permissions.js';
export { renderServerConfig, type ServerConfigInput, type ServerUser } from './server-config.js';
export { ACCOUNTS, ACCOUNT_OF_ROLE, type AccountName, type AccountSpec } from './accounts.js';
