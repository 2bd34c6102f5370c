import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { startJsonServer, type RunningServer, type StandInResponse } from '../stand-ins/json-server';
import { SEEDED_VERSION } from '../stand-ins/modelarts';

/** Options of {@link startDemoServer}. */
export interface DemoServerOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /**
   * API base URL that the page calls. A `?api=` query parameter with a loopback URL overrides it.
   * @default none, so the page then needs `?api=`
   */
  readonly apiBaseUrl?: string;
}

/** A running demo page server. */
export interface DemoServer extends RunningServer {
  /** The page's origin, such as `http://127.0.0.1:3001`: the value to allow in CORS. */
  readonly origin: string;
}

// The page needs its own script, its stylesheet and nothing else. connect-src stays open to any http(s)
// URL, so that only CORS, never this policy, decides whether the page may call the API.
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src http: https:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Serves the demo page on 127.0.0.1: `/` is the page, `/demo.js` the page script with the typed client
 * bundled by esbuild at start, and `/demo.css` its stylesheet.
 */
export async function startDemoServer(options: DemoServerOptions): Promise<DemoServer> {
  const html = renderPage(readFileSync(join(__dirname, 'index.html'), 'utf8'), options.apiBaseUrl ?? '');
  const css = readFileSync(join(__dirname, 'demo.css'), 'utf8');
  const script = await bundlePageScript();

  const server = await startJsonServer(options.port, (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return { status: 405, body: { message: 'Method Not Allowed' }, headers: { allow: 'GET, HEAD' } };
    }
    const path = new URL(request.path, 'http://127.0.0.1').pathname;
    switch (path) {
      case '/':
      case '/index.html':
        return staticFile('text/html; charset=utf-8', html);
      case '/demo.js':
        return staticFile('text/javascript; charset=utf-8', script);
      case '/demo.css':
        return staticFile('text/css; charset=utf-8', css);
      default:
        return { status: 404, body: { message: 'Not Found' } };
    }
  });

  return { ...server, origin: new URL(server.url).origin };
}

/** Bundles the page script and the client it imports into one browser script. */
async function bundlePageScript(): Promise<string> {
  const result = await build({
    entryPoints: [join(__dirname, 'page.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) {
    throw new Error('esbuild produced no output for the demo page script.');
  }
  return output.text;
}

function renderPage(template: string, apiBaseUrl: string): string {
  const values: Record<string, string> = {
    API_BASE_URL: apiBaseUrl,
    PROJECT_ID: SEEDED_VERSION.projectId,
    TASK_ID: SEEDED_VERSION.taskId,
    VERSION_ID: SEEDED_VERSION.versionId,
  };
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (placeholder, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new Error(`The demo page template has an unknown placeholder ${placeholder}.`);
    }
    return escapeHtml(value);
  });
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function staticFile(contentType: string, content: string): StandInResponse {
  return {
    raw: (res) => {
      res.writeHead(200, {
        'content-type': contentType,
        'cache-control': 'no-store',
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
      });
      res.end(content);
    },
  };
}
