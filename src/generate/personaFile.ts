import type { GoldenPersona, ReleasePersonaFile, ReleaseScene, Seed } from "./records.js";
import type { PersonaJob, SceneDraft } from "./state.js";

/**
 * The text a persona is compared by: every value but the name (names differ
 * trivially; near-duplicates are about what the persona says).
 *
 * @param persona - A golden persona.
 * @returns Its values, one per line.
 * @example
 * personaText(persona).includes(persona.Demographics.Career_Information); // true
 */
export function personaText(persona: GoldenPersona): string {
  const lines: string[] = [];
  for (const group of [persona.Demographics, persona.Personality, persona.Pattern, persona.Preference]) {
    for (const [key, value] of Object.entries(group)) {
      if (key === "Name") continue;
      lines.push(Array.isArray(value) ? value.join(", ") : String(value));
    }
  }
  return lines.join("\n");
}

/**
 * One line about a seed, for "already used" lists in prompts.
 *
 * @param seed - A seed persona.
 * @returns "Name, age, career; interests".
 * @example
 * seedSummary(seed); // "Ana, 67, retired teacher; painting, grandchildren"
 */
export function seedSummary(seed: Seed): string {
  return `${seed.Name}, ${seed.Demographics.Age}, ${seed.Demographics.Career_Information}; ${seed.Personality.Values_and_Interests.join(", ")}`;
}

/**
 * The golden persona in the release's field order (Name last in Demographics).
 *
 * @param persona - A validated persona.
 * @returns The four groups, ready for JSON.
 * @example
 * Object.keys(releasePersona(persona)); // ["Demographics", "Personality", "Pattern", "Preference"]
 */
export function releasePersona(persona: GoldenPersona): GoldenPersona {
  const { Name, ...demographics } = persona.Demographics;
  return {
    Demographics: { ...demographics, Name },
    Personality: persona.Personality,
    Pattern: persona.Pattern,
    Preference: persona.Preference,
  };
}

/**
 * The persona as JSON for prompts.
 *
 * @param persona - A persona.
 * @returns Indented JSON.
 * @example
 * personaForPrompt(persona).startsWith("{"); // true
 */
export function personaForPrompt(persona: GoldenPersona): string {
  return JSON.stringify(releasePersona(persona), null, 2);
}

/**
 * The text scenes of one persona are compared by to find duplicates.
 *
 * @param scene - A scene draft with its queries.
 * @returns Type, description and the user's first message.
 * @example
 * sceneText(draft);
 */
export function sceneText(scene: SceneDraft): string {
  return [scene.sceneType, scene.description ?? "", scene.personalizedQuery ?? ""].join("\n");
}

/** The release wraps neutralized queries in tags, on their own lines. */
export function wrapNeutralizedQuery(query: string): string {
  return `<neutralized_query>\n${query.trim()}\n</neutralized_query>`;
}

function releaseScene(scene: SceneDraft): ReleaseScene {
  const apis = scene.tools && scene.apis?.length
    ? Object.fromEntries(scene.apis.map((api) => [api.name, { arguments: [...new Set(api.arguments)], description: api.description }]))
    : null;
  return {
    scene_type: scene.sceneType,
    available_apis: apis,
    scene_desc: scene.description ?? "",
    expected_response: scene.expectedResponse ?? "",
    scene_context: scene.context ?? "",
    personalized_query: scene.personalizedQuery ?? "",
    neutralized_query: wrapNeutralizedQuery(scene.neutralizedQuery ?? ""),
  };
}

/**
 * The persona file of a job in the release layout: the four persona groups
 * and the accepted scenes in planned order.
 *
 * @param job - A job with a persona and accepted scenes.
 * @returns The file's content.
 * @throws Error when the job has no persona.
 * @example
 * buildPersonaFile(job).scenes.length;
 */
export function buildPersonaFile(job: PersonaJob): ReleasePersonaFile {
  if (!job.persona) throw new Error(`slot ${job.slot} has no persona yet`);
  const scenes = job.scenes.filter((scene) => scene.status === "accepted").sort((a, b) => a.position - b.position);
  return { ...releasePersona(job.persona), scenes: scenes.map(releaseScene) };
}

/**
 * A file name for a persona, unique among `taken` (which it is added to):
 * the name with path separators and control characters removed, then "-2",
 * "-3", ... on collisions.
 *
 * @param name - The persona's name.
 * @param taken - File names already used (lower-cased comparison).
 * @returns e.g. "丽丽.json", "Ana-2.json".
 * @example
 * personaFileName("Ana", new Set()); // "Ana.json"
 */
export function personaFileName(name: string, taken: Set<string>): string {
  const base = name.normalize("NFC").replace(/[\\/:*?"<>|\p{Cc}]+/gu, " ").replace(/\s+/g, " ").replace(/^[.\s]+/, "").trim().slice(0, 80) || "persona";
  let candidate = `${base}.json`;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${base}-${n}.json`;
  taken.add(candidate.toLowerCase());
  return candidate;
}
