// dotdo's own tests of per-request I/O contexts, not ported from workerd: written in the style
// of workerd's tests so that the same harness runs them on workerd and on the shim. They go
// beyond `js-rpc-test > crossContextSharingDoesntWork`: what a later request may use of what an
// earlier one kept in a global, and what a Durable Object's requests share.
import assert from 'node:assert';
import { DurableObject, RpcTarget, WorkerEntrypoint } from 'cloudflare:workers';

const DIFFERENT_REQUEST =
  'Cannot perform I/O on behalf of a different request. I/O objects (such as streams, ' +
  'request/response bodies, and others) created in the context of one request handler ' +
  "cannot be accessed from a different request's handler. This is a limitation of " +
  'Cloudflare Workers which allows us to improve overall performance.';
const DIFFERENT_OBJECT =
  'Cannot perform I/O on behalf of a different Durable Object. I/O objects (such as streams, ' +
  'request/response bodies, and others) created in the context of one Durable Object cannot ' +
  'be accessed from a different Durable Object in the same isolate. This is a limitation of ' +
  'Cloudflare Workers which allows us to improve overall performance.';

const refused = (type, message = DIFFERENT_REQUEST) => ({
  name: 'Error',
  message: `${message} (I/O type: ${type})`,
});

// What one request keeps for a later one.
const kept = {};

class Counter extends RpcTarget {
  #n = 0;
  increment() {
    return ++this.#n;
  }
  get value() {
    return this.#n;
  }
}

// Holds a stub made in the request that made the holder: its methods run there.
class Holder extends RpcTarget {
  constructor(inner) {
    super();
    this.inner = inner;
  }
  incrementInner() {
    return this.inner.increment();
  }
}

export class Probe extends DurableObject {
  ping() {
    return 'pong';
  }
  async keepCounter() {
    this.counter = await this.env.Service.makeCounter();
    this.other = this.env.ns.get(this.env.ns.idFromName('other'));
    await this.counter.increment();
  }
  // A later request to the same object uses what an earlier one made.
  async useKept() {
    return `${await this.counter.increment()} ${await this.other.ping()}`;
  }
  async keepInGlobal() {
    kept.objectCounter = await this.env.Service.makeCounter();
  }
  async useGlobal() {
    return await kept.objectCounter.increment();
  }
  async readKeptDurableObjectStub() {
    return await kept.durableObject.ping();
  }
  // A stub it was given is the object's: kept while the call runs, used by others.
  async keepGiven(counter, object) {
    kept.givenCounter = counter;
    kept.givenObject = object;
    return await this.env.Service.useGivenToObject();
  }
}

export class Service extends WorkerEntrypoint {
  makeCounter() {
    return new Counter();
  }
  async makeHolder() {
    return new Holder(await this.env.Service.makeCounter());
  }
  async useKeptStub() {
    return await kept.counter.increment();
  }
  async readKeptStub() {
    return await kept.counter.value;
  }
  dupKeptStub() {
    kept.counter.dup();
  }
  disposeKeptStub() {
    kept.counter[Symbol.dispose]();
  }
  async awaitKeptPromise() {
    await kept.promise;
    return 'awaited';
  }
  async pipelineKeptPromise() {
    return await kept.promise.increment();
  }
  async useKeptDurableObjectStub() {
    return await kept.durableObject.ping();
  }
  async fetchKeptDurableObjectStub() {
    return (await kept.durableObject.fetch('http://object/')).status;
  }
  keptDurableObjectId() {
    return kept.durableObject.id.toString();
  }
  async useKeptBindings() {
    const counter = await kept.service.makeCounter();
    const object = kept.namespace.get(kept.namespace.idFromName('bindings'));
    return `${await counter.increment()} ${await object.ping()}`;
  }
  async callBack(callback) {
    return await callback();
  }
  async useGivenStub(counter) {
    return await counter.increment();
  }
  async useGivenDurableObjectStub(stub) {
    return await stub.ping();
  }
  async useGivenToObject() {
    await assert.rejects(() => kept.givenCounter.increment(), refused('Client'));
    await assert.rejects(() => kept.givenObject.ping(), refused('SubrequestChannel'));
    return 'refused';
  }
}

export default {
  async fetch() {
    return new Response('not a test');
  },
};

export const stubKeptForALaterRequest = {
  async test(controller, env) {
    kept.counter = await env.Service.makeCounter();
    assert.strictEqual(await kept.counter.increment(), 1);
    await assert.rejects(() => env.Service.useKeptStub(), refused('Client'));
    await assert.rejects(() => env.Service.readKeptStub(), refused('Client'));
    await assert.rejects(() => env.Service.dupKeptStub(), refused('Client'));
    // Disposing is no I/O: allowed from anywhere.
    await env.Service.disposeKeptStub();
    await assert.rejects(() => kept.counter.increment(), {
      name: 'Error',
      message: 'RPC stub used after being disposed.',
    });
  },
};

export const rpcPromiseKeptForALaterRequest = {
  async test(controller, env) {
    kept.promise = env.Service.makeCounter();
    assert.strictEqual(await kept.promise.increment(), 1);
    // Awaiting it is awaiting a promise; pipelining on it is I/O.
    assert.strictEqual(await env.Service.awaitKeptPromise(), 'awaited');
    await assert.rejects(() => env.Service.pipelineKeptPromise(), refused('JsRpcPromise'));
  },
};

export const durableObjectStubKeptForALaterRequest = {
  async test(controller, env) {
    kept.durableObject = env.ns.get(env.ns.idFromName('kept'));
    assert.strictEqual(await kept.durableObject.ping(), 'pong');
    await assert.rejects(() => env.Service.useKeptDurableObjectStub(), refused('OutgoingFactory'));
    await assert.rejects(() => env.Service.fetchKeptDurableObjectStub(), refused('OutgoingFactory'));
    // Its id is no I/O object.
    assert.strictEqual(await env.Service.keptDurableObjectId(), env.ns.idFromName('kept').toString());
  },
};

export const bindingsKeptForALaterRequest = {
  async test(controller, env) {
    // Bindings belong to no request: a namespace and a service binding work from any.
    kept.service = env.Service;
    kept.namespace = env.ns;
    assert.strictEqual(await env.Service.useKeptBindings(), '1 pong');
  },
};

export const stubsPassedToAnotherRequest = {
  async test(controller, env) {
    // Passed over RPC, a stub is the receiver's.
    const counter = await env.Service.makeCounter();
    assert.strictEqual(await env.Service.useGivenStub(counter), 1);
    counter[Symbol.dispose]();
    const object = env.ns.get(env.ns.idFromName('given'));
    assert.strictEqual(await env.Service.useGivenDurableObjectStub(object), 'pong');
  },
};

export const stubsGivenToADurableObject = {
  async test(controller, env) {
    const counter = await env.Service.makeCounter();
    const object = env.ns.get(env.ns.idFromName('receiver'));
    const given = env.ns.get(env.ns.idFromName('given'));
    assert.strictEqual(await object.keepGiven(counter, given), 'refused');
  },
};

export const callsRunWhereTheTargetLives = {
  async test(controller, env) {
    // A callback runs in the request that passed it, and may use what that request made.
    kept.own = await env.Service.makeCounter();
    assert.strictEqual(await env.Service.callBack(() => kept.own.increment()), 1);
    // An RpcTarget's methods run in the request that made it.
    const holder = await env.Service.makeHolder();
    assert.strictEqual(await holder.incrementInner(), 1);
    assert.strictEqual(await holder.incrementInner(), 2);
    holder[Symbol.dispose]();
  },
};

export const durableObjectRequestsShareTheirContext = {
  async test(controller, env) {
    const object = env.ns.get(env.ns.idFromName('shared'));
    await object.keepCounter();
    assert.strictEqual(await object.useKept(), '2 pong');
  },
};

export const anotherDurableObjectIsRefused = {
  async test(controller, env) {
    await env.ns.get(env.ns.idFromName('keeper')).keepInGlobal();
    assert.strictEqual(await env.ns.get(env.ns.idFromName('keeper')).useGlobal(), 1);
    await assert.rejects(
      () => env.ns.get(env.ns.idFromName('stranger')).useGlobal(),
      refused('Client', DIFFERENT_OBJECT)
    );
    // A request's stub, used by an object.
    kept.durableObject = env.ns.get(env.ns.idFromName('kept'));
    await assert.rejects(
      () => env.ns.get(env.ns.idFromName('keeper')).readKeptDurableObjectStub(),
      refused('OutgoingFactory', DIFFERENT_OBJECT)
    );
    // And an object's stub, used by a request.
    await assert.rejects(() => kept.objectCounter.increment(), refused('Client'));
  },
};
