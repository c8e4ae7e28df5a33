/**
 * Public API of this package. Everything importable from the package is exported here.
 */
export {};
