/** Saving and loading zoobot models together with their decision-tree schema. */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, SchemaError } from '../errors.js';
import { Schema, type SchemaJSON } from '../decisionTree/index.js';
import { attachSchema, modelSchema } from './zoobotModel.js';
import { registerZoobotLayers } from './layers/index.js';
import { fuseLayers } from './fusedLayers.js';

/** Key of zoobot-ts's entry in a saved model's `userDefinedMetadata`. */
export const ZOOBOT_METADATA_KEY = 'zoobot';

/** What zoobot-ts stores in `userDefinedMetadata[ZOOBOT_METADATA_KEY]`. */
export interface ZoobotMetadata {
  readonly schema: SchemaJSON;
}

/**
 * Saves a model with `model.save`, adding its schema to the artifacts' `userDefinedMetadata`.
 *
 * @param model - The model.
 * @param destination - A tfjs URL (`indexeddb://...`, `downloads://...`) or an IOHandler
 *   (e.g. `fileSystemHandler(dir)` from `zoobot-ts/node`).
 * @param schema - The schema to store. @defaultValue the schema the model was built with
 * @returns tfjs's save result.
 */
export async function saveZoobotModel(
  model: tf.LayersModel, destination: string | tf.io.IOHandler, schema: Schema | undefined = modelSchema(model),
): Promise<tf.io.SaveResult> {
  if (schema === undefined) throw new ConfigError(`saveZoobotModel: model '${model.name}' has no schema; pass one`);
  const handler = typeof destination === 'string' ? tf.io.getSaveHandlers(destination)[0] : destination;
  if (handler?.save === undefined) throw new ConfigError(`saveZoobotModel: no save handler for ${JSON.stringify(destination)}`);
  const metadata: ZoobotMetadata = { schema: schema.toJSON() };
  return model.save({
    save: async (artifacts) => handler.save!({
      ...artifacts,
      userDefinedMetadata: { ...artifacts.userDefinedMetadata, [ZOOBOT_METADATA_KEY]: metadata as unknown as object },
    }),
  });
}

/**
 * Loads a model saved by {@link saveZoobotModel}, registering the zoobot-ts layers first.
 *
 * @param source - A tfjs URL or an IOHandler.
 * @returns The model and its schema (also available later through `modelSchema(model)`).
 */
export async function loadZoobotModel(source: string | tf.io.IOHandler): Promise<{ model: tf.LayersModel; schema: Schema }> {
  registerZoobotLayers();
  const handler = typeof source === 'string' ? tf.io.getLoadHandlers(source)[0] : source;
  if (handler?.load === undefined) throw new ConfigError(`loadZoobotModel: no load handler for ${JSON.stringify(source)}`);
  const artifacts = await handler.load();
  const stored = (artifacts.userDefinedMetadata?.[ZOOBOT_METADATA_KEY] as Partial<ZoobotMetadata> | undefined)?.schema;
  if (stored === undefined) throw new SchemaError('loadZoobotModel: the saved model carries no zoobot schema (was it saved with saveZoobotModel?)');
  const schema = Schema.fromJSON(stored);
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  attachSchema(model, schema);
  fuseLayers(model);
  return { model, schema };
}
