/**
 * Made-up reading-comprehension chats for calibrating the end-of-turn bias: they look like
 * the SQuAD prompts duet sends (system instruction, context, question) without using SQuAD.
 */
const SYSTEM = 'Answer the question with a short span copied from the context. If the context does not contain the answer, reply with nothing.';

const passages: { context: string; questions: string[] }[] = [
  {
    context:
      'The lighthouse at Carrow Point was built in 1871 from granite quarried on the island of Vell. Its lamp was first fuelled with whale oil, then with paraffin, and it was electrified in 1936. The last resident keeper, Margaret Ellison, left in 1989 when the light became automatic.',
    questions: ['When was the lighthouse electrified?', 'Who was the last resident keeper?', 'What colour was the lighthouse painted?'],
  },
  {
    context:
      'Brightwater is a small river that rises in the Tarn Hills and flows east for forty-two kilometres before joining the Ouse near Selby. Its valley supports dairy farming, and a narrow-gauge railway once carried limestone along its banks.',
    questions: ['How long is the Brightwater?', 'What did the railway carry?', 'Where does the river rise?'],
  },
  {
    context:
      'In 1923 the chemist Ida Rennick isolated a pigment from the petals of a mountain gentian. She named it gentianin and showed that it changed from blue to red in acid. Her notebooks are kept at the university library in Dunmore.',
    questions: ['What did Ida Rennick isolate?', 'Where are her notebooks kept?', 'How many children did Ida Rennick have?'],
  },
  {
    context:
      'The Velasco Stadium holds 38,000 spectators and opened in 2004. It is the home ground of Club Atlético Norte, who won the national league three times in the following decade. A retractable roof was added in 2017 at a cost of 90 million pesos.',
    questions: ['How many spectators does the stadium hold?', 'When was the retractable roof added?', 'Which team plays at the stadium?'],
  },
  {
    context:
      'Tidewater glaciers lose ice by calving, when blocks break from the terminus into the sea. The rate of calving depends on water depth at the front of the glacier and on the temperature of the ocean water that reaches it.',
    questions: ['How do tidewater glaciers lose ice?', 'What does the calving rate depend on?', 'Which glacier is the largest in Greenland?'],
  },
  {
    context:
      'The Hanseatic town of Lübhaven received its charter in 1226. Merchants traded salt, herring and cloth through its harbour, and its brick churches were copied across the Baltic. The town declined after the harbour silted up in the seventeenth century.',
    questions: ['When did Lübhaven receive its charter?', 'Why did the town decline?', 'What goods did the merchants trade?'],
  },
  {
    context:
      'A sourdough starter is a culture of wild yeast and lactic acid bacteria kept in flour and water. Bakers feed it every day; the bacteria produce the acids that give the bread its sour taste, while the yeast produces carbon dioxide that makes the dough rise.',
    questions: ['What makes the dough rise?', 'How often do bakers feed a starter?', 'Who invented sourdough bread?'],
  },
  {
    context:
      'The composer Tomas Vrabel wrote nine symphonies, the last of which was left unfinished at his death in 1911. His second symphony, nicknamed the Mountain, was first performed in Brno under his own direction and remains the most recorded of his works.',
    questions: ['How many symphonies did Vrabel write?', 'Where was the second symphony first performed?', 'What was the nickname of the second symphony?'],
  },
];

/** Renders a chat with the Llama 3 template (the assistant header left open for the answer). */
export function llama3ChatPrompt(system: string, user: string): string {
  const turn = (role: string, content: string): string => `<|start_header_id|>${role}<|end_header_id|>\n\n${content.trim()}<|eot_id|>`;
  return `<|begin_of_text|>${turn('system', system)}${turn('user', user)}<|start_header_id|>assistant<|end_header_id|>\n\n`;
}

/** 24 rendered calibration prompts. */
export function calibrationPrompts(): string[] {
  return passages.flatMap(({ context, questions }) =>
    questions.map((question) => llama3ChatPrompt(SYSTEM, `Context: ${context}\n\nQuestion: ${question}`)),
  );
}
