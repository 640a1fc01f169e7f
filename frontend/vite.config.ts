import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// sale-api serves dist/ at the site root and falls back to index.html for SPA routes.
export default defineConfig({
  base: '/',
  plugins: [react()],
  server: {
    proxy: {
      '/api': process.env.FLASHSALE_API ?? 'http://127.0.0.1:8080',
    },
  },
  build: {
    target: 'es2020',
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
