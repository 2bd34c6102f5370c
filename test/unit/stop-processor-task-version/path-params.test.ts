import fc from 'fast-check';
import { InvalidParameterError } from '../../../functions/stop-processor-task-version/errors';
import { parseTaskVersionIds } from '../../../functions/stop-processor-task-version/path-params';

const PROJECT_ID = '0123456789abcdef0123456789abcdef';
const TASK_ID = 'kM7j9TSa611ZzBThzSr';
const VERSION_ID = 'qSaudx2sbPvthHygckA';

// The oracles below restate the id rules as character sets, independently of the module's regular expressions.
const PROJECT_ID_ALPHABET = '0123456789abcdef';
const RESOURCE_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

function isValidProjectId(value: string): boolean {
  return value.length === 32 && [...value].every((char) => PROJECT_ID_ALPHABET.includes(char));
}

function isValidResourceId(value: string): boolean {
  return value.length >= 1 && value.length <= 64 && [...value].every((char) => RESOURCE_ID_ALPHABET.includes(char));
}

function params(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { project_id: PROJECT_ID, task_id: TASK_ID, version_id: VERSION_ID, ...overrides };
}

function parameterErrorOf(pathParameters: Record<string, string | undefined> | undefined): InvalidParameterError {
  try {
    parseTaskVersionIds(pathParameters);
  } catch (error) {
    if (error instanceof InvalidParameterError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected parseTaskVersionIds to throw an InvalidParameterError');
}

function accepts(pathParameters: Record<string, string | undefined>): boolean {
  try {
    parseTaskVersionIds(pathParameters);
    return true;
  } catch (error) {
    if (error instanceof InvalidParameterError) {
      return false;
    }
    throw error;
  }
}

/** Any string: full Unicode code points, single UTF-16 code units (lone surrogates included), and id-like text. */
const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 80 }),
  fc.string({ unit: fc.constantFrom(...RESOURCE_ID_ALPHABET, '.', '/', '%', ' ', '\n', 'é'), maxLength: 70 }),
);
const resourceId = fc.string({ unit: fc.constantFrom(...RESOURCE_ID_ALPHABET), minLength: 1, maxLength: 64 });
const projectId = fc.string({ unit: fc.constantFrom(...PROJECT_ID_ALPHABET), minLength: 32, maxLength: 32 });
const forbiddenChar = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 1 })
  .filter((char) => !RESOURCE_ID_ALPHABET.includes(char));

describe('parseTaskVersionIds', () => {
  it('returns the validated ids', () => {
    const ids = parseTaskVersionIds(params());

    expect(ids).toEqual({ projectId: PROJECT_ID, taskId: TASK_ID, versionId: VERSION_ID });
  });

  it('ignores extra path parameters', () => {
    const ids = parseTaskVersionIds(params({ proxy: '../../other' }));

    expect(ids).toEqual({ projectId: PROJECT_ID, taskId: TASK_ID, versionId: VERSION_ID });
  });

  it.each([
    ['1 character', 'a'],
    ['64 characters', 'A'.repeat(64)],
    ['underscore and hyphen', '_-_-'],
    ['all digits', '0123456789'],
  ])('accepts resource id with %s', (_case, value) => {
    const ids = parseTaskVersionIds(params({ task_id: value, version_id: value }));

    expect(ids.taskId).toBe(value);
    expect(ids.versionId).toBe(value);
  });

  it.each([
    ['empty', ''],
    ['65 characters', 'a'.repeat(65)],
    ['slash', 'a/b'],
    ['encoded slash', 'a%2Fb'],
    ['lowercase encoded slash', 'a%2fb'],
    ['encoded dot segment', '%2E%2E'],
    ['dot segment', '..'],
    ['single dot', '.'],
    ['dot inside', 'v1.2'],
    ['backslash', 'a\\b'],
    ['space', 'a b'],
    ['leading space', ' abc'],
    ['trailing newline', 'abc\n'],
    ['null byte', 'abc\u0000'],
    ['CRLF', 'abc\r\nX-Injected: 1'],
    ['accented letter', 'tâche'],
    ['fullwidth letter', 'Ａbc'],
    ['Arabic-Indic digit', '١٢٣'],
    ['zero-width space', 'a\u200bb'],
    ['emoji', 'task😀'],
    ['query mark', 'task?x=1'],
    ['hash', 'task#1'],
  ])('rejects task_id with %s', (_case, value) => {
    const error = parameterErrorOf(params({ task_id: value }));

    expect(error.statusCode).toBe(400);
    expect(error.message).toContain('task_id');
  });

  it.each([
    ['uppercase hex', PROJECT_ID.toUpperCase()],
    ['31 characters', PROJECT_ID.slice(1)],
    ['33 characters', `${PROJECT_ID}0`],
    ['non-hex letter', `${PROJECT_ID.slice(1)}g`],
    ['UUID form', '01234567-89ab-cdef-0123-456789abcdef'],
    ['empty', ''],
    ['trailing newline', `${PROJECT_ID}\n`],
    ['encoded characters', `%30${PROJECT_ID.slice(1)}`],
  ])('rejects project_id with %s', (_case, value) => {
    const error = parameterErrorOf(params({ project_id: value }));

    expect(error.statusCode).toBe(400);
    expect(error.message).toContain('project_id');
  });

  it('rejects invalid version_id', () => {
    const error = parameterErrorOf(params({ version_id: 'v/../1' }));

    expect(error.message).toContain('version_id');
  });

  it('rejects missing parameters', () => {
    expect(parameterErrorOf(undefined).message).toContain('project_id');
    expect(parameterErrorOf(params({ task_id: undefined })).message).toContain('task_id');
    expect(parameterErrorOf(params({ version_id: undefined })).message).toContain('version_id');
  });

  it('names project_id first', () => {
    const error = parameterErrorOf({ project_id: 'bad', task_id: 'bad/', version_id: 'bad/' });

    expect(error.message).toContain('project_id');
    expect(error.message).not.toContain('task_id');
  });

  it('does not echo the value', () => {
    const error = parameterErrorOf(params({ task_id: '<script>alert(1)</script>' }));

    expect(error.message).not.toContain('<script>');
    expect(error.publicMessage).toBe(error.message);
  });
});

describe('parseTaskVersionIds properties', () => {
  it('accepts task_id exactly by pattern', () => {
    fc.assert(
      fc.property(anyString, (value) => {
        expect(accepts(params({ task_id: value }))).toBe(isValidResourceId(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts version_id exactly by pattern', () => {
    fc.assert(
      fc.property(anyString, (value) => {
        expect(accepts(params({ version_id: value }))).toBe(isValidResourceId(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts project_id exactly by pattern', () => {
    const projectLike = fc.oneof(
      anyString,
      fc.string({ unit: fc.constantFrom(...PROJECT_ID_ALPHABET, 'A', 'F', 'g', '-'), minLength: 30, maxLength: 34 }),
    );

    fc.assert(
      fc.property(projectLike, (value) => {
        expect(accepts(params({ project_id: value }))).toBe(isValidProjectId(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('returns generated valid ids unchanged', () => {
    fc.assert(
      fc.property(projectId, resourceId, resourceId, (project, task, version) => {
        const ids = parseTaskVersionIds({ project_id: project, task_id: task, version_id: version });

        expect(ids).toEqual({ projectId: project, taskId: task, versionId: version });
      }),
    );
  });

  it('rejects one inserted forbidden character', () => {
    fc.assert(
      fc.property(resourceId, forbiddenChar, fc.nat(), (valid, char, position) => {
        const at = position % (valid.length + 1);
        const tainted = `${valid.slice(0, at)}${char}${valid.slice(at)}`;

        expect(accepts(params({ task_id: tainted }))).toBe(false);
      }),
    );
  });
});
