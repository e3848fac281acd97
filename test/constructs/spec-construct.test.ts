/**
 * The construct base classes validate and synthesize from the spec their type registered. A data
 * source and a resource may share a Terraform type (apiaccess_signicat_api_client is both): each
 * finds its own spec. A class whose type no spec registered fails at construction, naming it.
 */
import { Testing, TerraformStack } from 'cdktf';
import { ApiAccessResource, DataSignicatApiClient, SignicatApiClient } from '../../src/index';
import { specOf } from '../../src/constructs/spec-construct';

class Unregistered extends ApiAccessResource {
  constructor(stack: TerraformStack) {
    super(stack, 'unregistered', 'apiaccess_nowhere', {});
  }
}

describe('construct specs', () => {
  it('a resource and a data source of one Terraform type each use their own spec', () => {
    expect(SignicatApiClient.TF_TYPE).toBe(DataSignicatApiClient.TF_TYPE);
    expect(specOf('resource', SignicatApiClient.TF_TYPE).attributes.name).toMatchObject({ required: true });
    expect(specOf('data-source', DataSignicatApiClient.TF_TYPE).attributes.id).toMatchObject({ required: true });
    expect(specOf('data-source', DataSignicatApiClient.TF_TYPE).attributes.name).toMatchObject({ computed: true });
    const stack = new TerraformStack(Testing.app(), 'stack');
    new SignicatApiClient(stack, 'client', { name: 'ci', permissions: ['authentication:read'] });
    new DataSignicatApiClient(stack, 'read', { id: 'abc' });
    const json = JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, object>>; data: Record<string, Record<string, object>> };
    expect(json.resource.apiaccess_signicat_api_client!.client).toEqual({ name: 'ci', permissions: ['authentication:read'] });
    expect(json.data.apiaccess_signicat_api_client!.read).toEqual({ id: 'abc' });
  });

  it('a construct class whose type registered no spec fails at construction, naming the type', () => {
    const stack = new TerraformStack(Testing.app(), 'stack');
    expect(() => new Unregistered(stack)).toThrow('apiaccess: no construct spec is registered for the resource "apiaccess_nowhere"');
  });
});
