// Runs every sh/bash/python block of README.md and of the docs/ pages that api.test.ts does not run
// (see test/support/doc-test.ts), so a new page is covered without being listed anywhere.
import { describe } from 'vitest';
import { API_FILES, docFiles, docsTest } from '../support/doc-test.ts';

describe('README.md and docs/ run as written', () => docsTest(docFiles().filter((f) => !API_FILES.includes(f))));
