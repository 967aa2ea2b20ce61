// Runs every sh/bash/python block of docs/api.md against the service (see test/support/doc-test.ts).
import { describe } from 'vitest';
import { API_FILES, docsTest } from '../support/doc-test.ts';

describe('docs/api.md runs as written', () => docsTest(API_FILES));
