import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// The machine is shared with other builds: a slow render must not fail a findBy.
configure({ asyncUtilTimeout: 5_000 });

afterEach(() => {
  cleanup();
  // absent in the few tests that run in the node environment
  if (typeof localStorage !== 'undefined') localStorage.clear();
});
