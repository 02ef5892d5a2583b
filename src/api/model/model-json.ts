/**
 * The parts of a botocore `service-2.json` that Lockstep reads. Everything else in the file
 * (documentation, endpoints, XML traits) is ignored.
 */
export interface ModelJson {
  metadata: ModelMetadataJson;
  operations: Record<string, OperationJson>;
  shapes: Record<string, ShapeJson>;
}

export interface ModelMetadataJson {
  apiVersion?: string;
  endpointPrefix?: string;
  jsonVersion?: string;
  protocol?: string;
  serviceId?: string;
  signingName?: string;
  targetPrefix?: string;
}

export interface ShapeRefJson {
  shape: string;
}

export interface OperationJson {
  name: string;
  input?: ShapeRefJson;
  output?: ShapeRefJson;
  errors?: ShapeRefJson[];
}

export interface ShapeJson {
  type: string;
  members?: Record<string, ShapeRefJson>;
  required?: string[];
  member?: ShapeRefJson;
  key?: ShapeRefJson;
  value?: ShapeRefJson;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  sensitive?: boolean;
  sparse?: boolean;
  timestampFormat?: string;
}

/** Checks that a parsed JSON file has the three sections of a botocore service model. */
export function assertModelJson(json: unknown, source: string): asserts json is ModelJson {
  const model = json as Partial<Record<keyof ModelJson, unknown>> | null;
  for (const section of ['metadata', 'operations', 'shapes'] as const) {
    const value = typeof model === 'object' && model !== null ? model[section] : undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error(`${source} is not a service model: it has no "${section}" object`);
    }
  }
}
