/** This package's version, written into De-identification Method (0012,0063); a test keeps it equal to package.json's. */
export const ANONYMIZE_VERSION = '0.1.0';
