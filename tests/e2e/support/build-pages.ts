// vitest globalSetup: builds the kiosk and staff pages once before any test runs, so the browser tests always
// drive the pages as they are in the working tree (esbuild takes well under a second).
import { buildPages } from '../../../server/web/build.ts';

export default async function setup(): Promise<void> {
  await buildPages({ quiet: true });
}
