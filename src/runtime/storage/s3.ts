import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { bodyBytes, bodyChunks, bodySize } from "./body";
import { describeCondition } from "./conditions";
import { deleteBatches, deleteEach } from "./delete-keys";
import { unquoteEtag } from "./etag";
import { PreconditionFailedError, StorageConfigError, StorageRequestError, storageFailure } from "./errors";
import { assertValidKey, assertValidPrefix, pageLimit } from "./keys";
import { emptyBody, rangedGet, rangeHeader, sliceRange } from "./range";
import { directPut } from "./s3-direct";
import { detectProvider, providerHeaders, type S3Provider } from "./s3-provider";
import type { GetOptions, ListOptions, ListResult, ObjectInfo, ObjectStore, PutBody, PutOptions, StoredObject } from "./types";

export interface S3StoreOptions {
  bucket: string;
  /** e.g. `https://<account>.r2.cloudflarestorage.com`; omitted for AWS S3. */
  endpoint?: string;
  /** Default `auto` (R2 and most look-alikes); AWS S3 needs the bucket's real region. */
  region?: string;
  /** Path-style URLs (`endpoint/bucket/key`). Default: on when `endpoint` is set. */
  forcePathStyle?: boolean;
  /** Omitted: the SDK's default chain (`AWS_ACCESS_KEY_ID`, profiles, instance roles, …). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Default: guessed from `endpoint` (see `detectProvider`). */
  provider?: S3Provider;
  /** How often to retry a put answered 409 (a concurrent conditional write). Default 2. */
  conflictRetries?: number;
  /**
   * A request whose connection stays silent this long fails (the SDK then retries it), so an
   * unanswered request never hangs a caller. Default 10 s; connecting may take 3 s.
   */
  requestTimeoutMs?: number;
}

/** An S3-compatible bucket through `@aws-sdk/client-s3`. Keys are bucket keys. */
export function createS3Store(options: S3StoreOptions): ObjectStore {
  const { bucket, endpoint, conflictRetries = 2 } = options;
  const url = `s3://${bucket}`;
  if (!bucket) throw new StorageConfigError("The S3 store needs a bucket");
  if (endpoint !== undefined && !URL.canParse(endpoint)) {
    throw new StorageConfigError(`S3 endpoint ${JSON.stringify(endpoint)} is not a URL`);
  }
  const forcePathStyle = options.forcePathStyle ?? endpoint !== undefined;
  const client = new S3Client({
    endpoint,
    region: options.region ?? "auto",
    forcePathStyle,
    credentials: options.credentials,
    // Checksums only where S3 requires them: several S3 look-alikes reject or mishandle
    // the CRC trailers the SDK adds by default.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: { requestTimeout: options.requestTimeoutMs ?? 10_000, connectionTimeout: 3_000 },
  });
  const provider = options.provider ?? detectProvider(endpoint);
  const rewrite = providerHeaders(provider);
  const direct = directPut(client, { bucket, endpoint, forcePathStyle, rewrite });
  // GCS's XML API has no DeleteObjects.
  let batchDeletes = provider !== "gcs";
  if (rewrite) {
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers?: Record<string, string> };
        if (request.headers) rewrite(request.headers);
        return next(args);
      },
      { step: "build", name: "dotdoProviderHeaders" },
    );
  }

  const failure = (operation: string, key: string, error: unknown): Error => {
    const status = statusOf(error);
    const message = error instanceof Error ? error.message || error.name : String(error);
    return storageFailure(url, operation, key, error, status ? `HTTP ${status} ${message}` : message);
  };

  const head = async (key: string): Promise<ObjectInfo | null> => {
    assertValidKey(key);
    try {
      const result = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { key, size: result.ContentLength ?? 0, etag: unquoteEtag(result.ETag) };
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw failure("head", key, error);
    }
  };

  const deleteOne = async (key: string): Promise<void> => {
    assertValidKey(key);
    try {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (statusOf(error) !== 404) throw failure("delete", key, error);
    }
  };

  return {
    url,

    get: (key: string, options?: GetOptions): Promise<StoredObject | null> =>
      rangedGet(key, options, head, async (range) => {
        try {
          const result = await client.send(
            new GetObjectCommand({ Bucket: bucket, Key: key, Range: range ? rangeHeader(range) : undefined }),
          );
          const body = result.Body ? await result.Body.transformToByteArray() : new Uint8Array();
          const served = servedRange(result.ContentRange) ?? { start: 0, total: body.length };
          return {
            key,
            size: served.total,
            etag: unquoteEtag(result.ETag),
            // HTTP lets a server answer with more than the range asked for (all of it, even):
            // keep just the requested bytes.
            body: range ? sliceRange(body, { ...range, offset: range.offset - served.start }) : body,
          };
        } catch (error) {
          const status = statusOf(error);
          if (status === 404) return null;
          // Range starts at or past the end: like a slice, that is no bytes.
          if (status === 416) return emptyBody(await head(key));
          throw failure("get", key, error);
        }
      }),

    async put(key: string, body: PutBody, options?: PutOptions): Promise<ObjectInfo> {
      assertValidKey(key);
      const condition = describeCondition(options);
      const size = bodySize(body);
      if (direct && body instanceof Uint8Array) {
        const etag = await direct(key, body, conditionHeaders(options));
        if (etag !== null) return { key, size, etag: unquoteEtag(etag) };
      }
      for (let attempt = 0; ; attempt++) {
        // A stream goes out as it arrives, with its length declared up front. The SDK pipes it
        // and would wait forever on one that fails: its failure aborts the request instead.
        const aborted = new AbortController();
        const upload = await sdkBody(body, (error) => aborted.abort(error));
        try {
          const result = await client.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: upload,
              ContentLength: size,
              IfNoneMatch: options?.ifNoneMatch,
              IfMatch: options?.ifMatch === undefined ? undefined : `"${options.ifMatch}"`,
            }),
            { abortSignal: aborted.signal },
          );
          if (!result.ETag) throw new StorageRequestError(url, "put", key, "the response carried no ETag");
          return { key, size, etag: unquoteEtag(result.ETag) };
        } catch (error) {
          if (aborted.signal.aborted) throw failure("put", key, aborted.signal.reason);
          const status = statusOf(error);
          if (condition !== undefined) {
            if (status === 412 || (status === 404 && options?.ifMatch !== undefined)) {
              throw new PreconditionFailedError(key, condition, { cause: error });
            }
            // 409: another conditional write to this key was in flight; the retry gets a
            // definite answer once it has landed (a stream, once read, cannot be sent again).
            if (status === 409) {
              if (attempt < conflictRetries && body instanceof Uint8Array) continue;
              throw new PreconditionFailedError(key, condition, { cause: error });
            }
          }
          throw failure("put", key, error);
        }
      }
    },

    delete: deleteOne,

    async deleteMany(keys: readonly string[]): Promise<void> {
      for (const key of keys) assertValidKey(key);
      for (const batch of deleteBatches(keys)) {
        if (batchDeletes) {
          try {
            const { Errors = [] } = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
            const failed = Errors.find((error) => error.Code !== "NoSuchKey");
            if (failed) throw failure("delete", failed.Key ?? batch[0]!, new Error(`${failed.Code}: ${failed.Message}`));
            continue;
          } catch (error) {
            // A look-alike without DeleteObjects: one request per key from now on.
            if (statusOf(error) !== 501) throw failure("delete", batch[0]!, error);
            batchDeletes = false;
          }
        }
        await deleteEach(batch, deleteOne);
      }
    },

    async list(prefix: string, options?: ListOptions): Promise<ListResult> {
      assertValidPrefix(prefix);
      const limit = pageLimit(options);
      try {
        const result = await client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix || undefined,
            ContinuationToken: options?.cursor,
            MaxKeys: limit,
          }),
        );
        const objects = (result.Contents ?? []).map((item) => ({
          key: item.Key ?? "",
          size: item.Size ?? 0,
          etag: unquoteEtag(item.ETag),
        }));
        return result.IsTruncated && result.NextContinuationToken
          ? { objects, cursor: result.NextContinuationToken }
          : { objects };
      } catch (error) {
        throw failure("list", prefix, error);
      }
    },

    head,
  };
}

/** Left as a variable so that bundlers leave it alone: edge runtimes have no node:stream. */
const NODE_STREAM = "node:stream";

/**
 * A body as the SDK sends it: bytes, or on Node a `Readable` (its Node handler pipes nothing
 * else) that reports its failure to `onError`. Where node:stream is missing (the edge, whose
 * apps never stream to S3), a stream is read whole first.
 */
async function sdkBody(body: PutBody, onError: (error: unknown) => void): Promise<Uint8Array | import("node:stream").Readable> {
  if (body instanceof Uint8Array) return body;
  const stream = (await import(/* @vite-ignore */ NODE_STREAM).catch(() => undefined)) as typeof import("node:stream") | undefined;
  if (!stream) return bodyBytes(body);
  return stream.Readable.from(bodyChunks(body)).once("error", onError);
}

/** A put's conditions as the headers S3 reads them from. */
function conditionHeaders(options: PutOptions | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (options?.ifNoneMatch !== undefined) headers["if-none-match"] = options.ifNoneMatch;
  if (options?.ifMatch !== undefined) headers["if-match"] = `"${options.ifMatch}"`;
  return headers;
}

/** The HTTP status of an SDK error; `undefined` for errors that never got an answer. */
function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** First byte and total size in a `Content-Range: bytes first-last/total` header. */
function servedRange(contentRange: string | undefined): { start: number; total: number } | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+)$/.exec(contentRange ?? "");
  return match ? { start: Number(match[1]), total: Number(match[2]) } : undefined;
}
