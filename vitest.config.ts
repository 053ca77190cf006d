import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Stryker's sandboxes (npm run test:mutation) hold copies of the tests.
    exclude: [...configDefaults.exclude, '.stryker-tmp/**', 'reports/**'],
    // Temporary files of every test under one directory, removed at the end.
    globalSetup: ['test/helpers/tmpdir-setup.ts'],
  },
});
