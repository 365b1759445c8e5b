import { defineConfig } from 'remotetask';
import root from './sites/root.js';

/** The default deployment: `npm start` serves it. */
export default defineConfig({
  store: { kind: 'sqlite', path: './data/remotetask.db' },
  plugins: ['echo', 'files', 'video-convert'],
  sites: {
    '': root,
  },
  autostart: ['@RootTaskService'],
});
