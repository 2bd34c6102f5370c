/**
 * Browser script of the demo page: stops a version through the typed client with the pasted token. The
 * result element carries `data-state`, `data-outcome`, `data-kind` and `data-status` for tests.
 *
 * The token is read from the textarea for each call and is never stored or logged.
 */
import { StopProcessorTaskVersionError, stopProcessorTaskVersion } from '../../clients/typescript/src';

function requireElement<T extends HTMLElement>(selector: string): T {
  const element = document.querySelector<T>(selector);
  if (!element) {
    throw new Error(`Demo page element ${selector} is missing.`);
  }
  return element;
}

const form = requireElement<HTMLFormElement>('#stop-form');
const tokenInput = requireElement<HTMLTextAreaElement>('#token');
const projectInput = requireElement<HTMLInputElement>('#project-id');
const taskInput = requireElement<HTMLInputElement>('#task-id');
const versionInput = requireElement<HTMLInputElement>('#version-id');
const stopButton = requireElement<HTMLButtonElement>('#stop');
const result = requireElement<HTMLOutputElement>('#result');

// `?api=` overrides the server's default for another local API. It accepts loopback URLs only, so a
// crafted link cannot make the page send a pasted token to another host.
const LOOPBACK_URL_PATTERN = /^https?:\/\/(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d{1,5})?(\/[^?#]*)?$/;
const requestedApi = new URLSearchParams(window.location.search).get('api');
const apiBaseUrl =
  (requestedApi !== null && LOOPBACK_URL_PATTERN.test(requestedApi) ? requestedApi : undefined) ??
  document.querySelector<HTMLMetaElement>('meta[name="api-base-url"]')?.content ??
  '';
requireElement<HTMLElement>('#api-base-url').textContent = apiBaseUrl || '(none)';

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void stop();
});

async function stop(): Promise<void> {
  stopButton.disabled = true;
  showResult({ state: 'pending', outcome: '', kind: '', status: '', text: 'Stopping...' });
  try {
    const stopped = await stopProcessorTaskVersion(
      { projectId: projectInput.value.trim(), taskId: taskInput.value.trim(), versionId: versionInput.value.trim() },
      { baseUrl: apiBaseUrl, getToken: () => tokenInput.value.trim() },
    );
    showResult({
      state: 'done',
      outcome: 'stopped',
      kind: stopped.kind,
      status: String(stopped.status),
      text: `${stopped.status} stopped. Request id ${stopped.requestId ?? '(none)'}. Body ${JSON.stringify(stopped.body)}`,
    });
  } catch (error) {
    showResult(describeFailure(error));
  } finally {
    stopButton.disabled = false;
  }
}

interface ResultView {
  readonly state: 'pending' | 'done';
  readonly outcome: '' | 'stopped' | 'error';
  readonly kind: string;
  readonly status: string;
  readonly text: string;
}

function describeFailure(error: unknown): ResultView {
  if (!(error instanceof StopProcessorTaskVersionError)) {
    const name = error instanceof Error ? error.name : 'UnknownError';
    const message = error instanceof Error ? error.message : String(error);
    return { state: 'done', outcome: 'error', kind: 'unexpected', status: '', text: `${name}: ${message}` };
  }
  const status = error.status === undefined ? 'no HTTP status' : String(error.status);
  const lines = [`${status}: ${error.name} (${error.errorCode})`, error.message];
  if (error.requestId !== undefined) {
    lines.push(`Request id ${error.requestId}`);
  }
  if (error.kind === 'network') {
    lines.push(
      `If the API is running, this origin (${window.location.origin}) is probably not in CORS_ALLOWED_ORIGINS; ` +
        'the browser console names the CORS error.',
    );
  }
  return {
    state: 'done',
    outcome: 'error',
    kind: error.kind,
    status: error.status === undefined ? '' : String(error.status),
    text: lines.join('\n'),
  };
}

function showResult(view: ResultView): void {
  result.dataset.state = view.state;
  result.dataset.outcome = view.outcome;
  result.dataset.kind = view.kind;
  result.dataset.status = view.status;
  result.textContent = view.text;
}
