import { contentText, type MockHandler, type MockReply } from "../testing/mockOpenAIServer.js";

/**
 * A deterministic stand-in for the generator and checker models, for smoke
 * runs and tests without a model: it reads the prompt of each tool call and
 * answers by rules. Its neutralizer leaves the user's name in every third
 * query (so the checker's leak check and the repair run), and its checker
 * calls a scene unanswerable when it mentions time travel or teleporting.
 */

const MBTI = [
  ["E", "I"],
  ["S", "N"],
  ["T", "F"],
  ["J", "P"],
] as const;
const CAREERS = ["nurse", "bus driver", "software tester", "baker", "architect", "farmer", "librarian", "electrician", "pharmacist", "teacher"];
const INTERESTS = ["gardening", "chess", "cycling", "jazz", "cooking", "birdwatching", "history podcasts", "hiking", "photography", "knitting", "football", "sci-fi novels"];
const STYLES = ["short and direct", "warm and encouraging", "precise and technical", "playful with examples", "calm and step by step"];
const PROJECTS = ["Repair a vintage radio", "Draft a union petition", "Translate a family recipe book", "Map cycling routes", "Organise a choir concert", "Rebuild an old website", "Plan a beehive", "Sell handmade lamps"];
const FORMATS = ["bullet lists", "a short paragraph", "tables", "numbered steps", "a summary first, details after"];

function between(text: string, tag: string): string {
  return new RegExp(`<${tag}>\\n?([\\s\\S]*?)\\n?</${tag}>`).exec(text)?.[1]?.trim() ?? "";
}

function hash(text: string): number {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619) >>> 0;
  return h;
}

function numberAfter(text: string, pattern: RegExp, fallback: number): number {
  const match = pattern.exec(text);
  return match ? Number(match[1]) : fallback;
}

const CATEGORY_NAMES = [
  "Meal planning", "Doctor appointments", "Pension paperwork", "Train journeys", "Garden care", "Grandchildren visits",
  "Phone troubleshooting", "Pharmacy refills", "Local festivals", "Home repairs", "Book club", "Walking routes",
  "Bank letters", "Recipe swaps", "Hearing aids", "Volunteer shifts", "Tax forms", "Photo albums",
  "Weather warnings", "Language lessons", "Pet care", "Insurance claims", "Concert tickets", "Family birthdays",
];

function categories(prompt: string) {
  const count = numberAfter(prompt, /List (\d+) common situations/, 24);
  return {
    categories: Array.from({ length: count }, (_, i) => {
      const name = i < CATEGORY_NAMES.length ? CATEGORY_NAMES[i] : `${CATEGORY_NAMES[i % CATEGORY_NAMES.length]} (${Math.floor(i / CATEGORY_NAMES.length) + 1})`;
      return {
        name,
        description: `The assistant helps with ${name.toLowerCase()}.`,
        capabilities: i % 2 ? ["search the web", "set reminders"] : ["manage calendar events"],
      };
    }),
  };
}

function seeds(prompt: string) {
  const count = numberAfter(prompt, /Create (\d+) different people/, 1);
  const used = between(prompt, "already_used");
  const offset = used === "(nobody yet)" ? 0 : used.split("\n").length;
  return {
    seeds: Array.from({ length: count }, (_, i) => {
      const n = offset + i;
      return {
        Name: `Person ${n + 1}`,
        Demographics: {
          Age: 20 + ((n * 7) % 60),
          Gender: n % 2 ? "female" : "male",
          Nationality: "Spanish",
          Language: ["Spanish", "English"],
          Career_Information: CAREERS[n % CAREERS.length],
        },
        Personality: {
          Extraversion_or_Introversion: MBTI[0][n % 2],
          Sensing_or_Intuition: MBTI[1][(n >> 1) % 2],
          Thinking_or_Feeling: MBTI[2][(n >> 2) % 2],
          Judging_or_Perceiving: MBTI[3][(n >> 3) % 2],
          Values_and_Interests: [INTERESTS[n % INTERESTS.length], INTERESTS[(n + 5) % INTERESTS.length], INTERESTS[(n + 7) % INTERESTS.length]],
        },
      };
    }),
  };
}

function persona(prompt: string) {
  const seed = JSON.parse(between(prompt, "seed")) as {
    Name: string;
    Demographics: Record<string, unknown>;
    Personality: Record<string, unknown> & { Values_and_Interests: string[] };
  };
  const career = String(seed.Demographics.Career_Information);
  const interests = seed.Personality.Values_and_Interests.join(", ");
  // Asked to differ from an existing persona: take other styles.
  const shift = prompt.includes("<existing_persona>") ? 2 : 0;
  const h = hash(`${seed.Name}${career}`) + shift;
  return {
    Demographics: { ...seed.Demographics, Name: seed.Name },
    Personality: seed.Personality,
    Pattern: {
      Behavior_Engagement_Pattern: `Brings questions about ${career} work and ${interests}; asks in short bursts.`,
      Usage_Pattern: `Uses the assistant ${h % 2 ? "every morning before work" : "in the evening"}, mostly about ${seed.Personality.Values_and_Interests[0]}.`,
      Emotion_Pattern: `Gets ${h % 3 ? "impatient with vague answers" : "anxious when plans change"}; relaxes when the answer is concrete.`,
      Purchase_Pattern: `Buys ${h % 2 ? "second-hand gear after long comparison" : "quickly from shops they know"}.`,
    },
    Preference: {
      Preferred_Styles: STYLES[h % STYLES.length],
      Preferred_Formats: FORMATS[(h >>> 3) % FORMATS.length],
      Preferred_Workflows: h % 2 ? "wants options first, then decides" : "wants one recommendation, then details on request",
    },
  };
}

function personaName(prompt: string): string {
  const json = between(prompt, "persona");
  try {
    return (JSON.parse(json) as { Demographics: { Name: string } }).Demographics.Name;
  } catch {
    return "the user";
  }
}

function scenePlan(prompt: string) {
  const name = personaName(prompt);
  const common = numberAfter(prompt, /choose (\d+) categories/, 0);
  const specific = numberAfter(prompt, /invent (\d+) scenes/, 0);
  const exclude = new Set(between(prompt, "exclude").split("\n").map((line) => line.trim()));
  const names = between(prompt, "categories")
    .split("\n")
    .map((line) => /^- (.*?)(?::\s|$)/.exec(line)?.[1]?.trim())
    .filter((line): line is string => Boolean(line) && !exclude.has(line!));
  const offset = exclude.has("(none)") ? 0 : exclude.size;
  return {
    common: names.slice(0, common).map((category) => ({ category, label: category, explanation: `${name} needs help with ${category.toLowerCase()} this week.` })),
    specific: Array.from({ length: specific }, (_, i) => {
      const topic = PROJECTS[(offset + i) % PROJECTS.length];
      return { label: topic, explanation: `For work, ${name} must ${topic.toLowerCase()} before the month ends.` };
    }),
  };
}

function scene(prompt: string) {
  const name = personaName(prompt);
  const type = between(prompt, "scene_type");
  const label = type.split(/[：:]/)[0].trim();
  const json = between(prompt, "persona");
  const style = /"Preferred_Styles": "([^"]*)"/.exec(json)?.[1] ?? "clear";
  const reply: Record<string, unknown> = {
    scene_desc: `${name} opens the assistant about ${label.toLowerCase()}. ${type}`,
    scene_context: `${name} means the ${label.toLowerCase()} for next Tuesday at 10:00 in Valencia, with a budget of 120 euros.`,
    expected_response: `The assistant asks which day suits ${name}, then answers in a ${style} way, as ${name} prefers.`,
  };
  if (prompt.includes("<capabilities>")) {
    reply.available_apis = [
      { name: "searchWeb", arguments: ["query"], description: "Searches the web and returns the top results." },
      { name: "setReminder", arguments: ["time", "message"], description: "Sets a reminder at the given time." },
    ];
  }
  return reply;
}

function query(prompt: string) {
  const name = personaName(prompt);
  const situation = between(prompt, "scene");
  const topic = /about (.*?)\./.exec(situation)?.[1] ?? "this";
  return { message: `Hey, it's ${name} again. Can you sort out ${topic} for next Tuesday? Quick please.` };
}

function neutralize(prompt: string) {
  const name = personaName(prompt);
  const original = between(prompt, "query");
  const topic = /sort out (.*?) for/.exec(original)?.[1] ?? "this";
  // Every third query keeps the name: a leak for the checker to find.
  const leaks = hash(original) % 3 === 0;
  return { neutralized_query: `${leaks ? `${name} asks: ` : ""}Please sort out ${topic} for next Tuesday.`, removed: leaks ? [] : [name] };
}

function check(prompt: string) {
  const name = personaName(prompt);
  const neutral = between(prompt, "neutralized_query");
  const scene = `${between(prompt, "scene_type")} ${between(prompt, "scene_desc")}`;
  const expected = between(prompt, "expected_response");
  const answerable = !/time travel|teleport/i.test(scene);
  const leaked = neutral.includes(name) ? [name] : [];
  const uses = expected.includes(name) || /prefer/i.test(expected);
  return {
    answerable,
    answerable_reason: answerable ? "an assistant with these APIs can do it" : "no assistant can arrange time travel or teleporting",
    leaked_details: leaked,
    uses_persona: uses,
    uses_persona_reason: uses ? "it follows the user's preferences" : "it fits anyone",
  };
}

function repairQuery(prompt: string) {
  const neutral = between(prompt, "neutralized_query");
  const leaks = between(prompt, "leaked_details").split("\n").map((line) => line.replace(/^- /, "").trim()).filter(Boolean);
  let text = neutral;
  for (const leak of leaks) text = text.split(`${leak} asks: `).join("").split(leak).join("someone");
  return { neutralized_query: text.trim() };
}

function repairResponse(prompt: string) {
  const name = personaName(prompt);
  return { expected_response: `${between(prompt, "expected_response")} It keeps to what ${name} prefers.` };
}

/**
 * The mock's answer to one forced tool call.
 *
 * @param tool - The tool the model must call.
 * @param prompt - The prompt text.
 * @returns The tool's arguments.
 * @throws Error for a tool it does not know.
 * @example
 * mockGeneratorArguments("submit_query", prompt).message;
 */
export function mockGeneratorArguments(tool: string, prompt: string): Record<string, unknown> {
  switch (tool) {
    case "submit_categories":
      return categories(prompt);
    case "submit_seeds":
      return seeds(prompt);
    case "submit_persona":
      return persona(prompt);
    case "submit_scene_plan":
      return scenePlan(prompt);
    case "submit_scene":
      return scene(prompt);
    case "submit_query":
      return query(prompt);
    case "submit_neutralized_query":
      return neutralize(prompt);
    case "submit_scene_check":
      return check(prompt);
    case "submit_repaired_query":
      return repairQuery(prompt);
    case "submit_repaired_response":
      return repairResponse(prompt);
    default:
      throw new Error(`the mock generator does not know the tool "${tool}"`);
  }
}

/**
 * An OpenAI-compatible mock handler playing the generator and the checker of
 * `persona generate` (see `startMockOpenAIServer`). Requests without one of
 * its tools get a 400 reply.
 *
 * @example
 * const server = await startMockOpenAIServer(mockGenerateHandler);
 * // OPENAI_BASE_URL=server.url persona generate --population "..." --out demo
 * @param request - the chat completions request (its first tool names the stage)
 * @returns the stage's tool call with valid arguments (HTTP 400 without a tool)
 */
export const mockGenerateHandler: MockHandler = (request): MockReply => {
  const tool = request.tools?.[0]?.function.name;
  if (!tool) return { status: 400 };
  const prompt = request.messages.map((message) => contentText(message.content)).join("\n");
  return { toolCalls: [{ name: tool, arguments: mockGeneratorArguments(tool, prompt) }] };
};
