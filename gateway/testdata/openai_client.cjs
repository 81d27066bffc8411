// Drives phigate with the official OpenAI client for Node, unchanged:
// chat completions (plain and streamed), models, embeddings and an error.
// Run by TestOfficialOpenAIClient with NODE_PATH pointing at a
// node_modules that holds the "openai" package.
const OpenAI = require('openai');

async function main() {
  const client = new OpenAI({ baseURL: process.env.BASE_URL, apiKey: process.env.API_KEY, maxRetries: 0 });
  const messages = [{ role: 'system', content: 'Echo.' }, { role: 'user', content: process.env.PROMPT }];
  const plain = await client.chat.completions.create({ model: 'open/gpt-x', messages });
  const stream = await client.chat.completions.create({ model: 'open/gpt-x', messages, stream: true });
  let streamed = '';
  let chunks = 0;
  for await (const c of stream) {
    chunks++;
    streamed += (c.choices[0] && c.choices[0].delta && c.choices[0].delta.content) || '';
  }
  const models = [];
  for await (const m of client.models.list()) models.push(m.id);
  const emb = await client.embeddings.create({ model: 'open/emb', input: process.env.PROMPT });
  let error = {};
  try {
    await client.chat.completions.create({ model: 'nobody/x', messages });
  } catch (e) {
    error = { status: e.status, code: e.code, type: e.type, message: e.message };
  }
  console.log(JSON.stringify({ plain: plain.choices[0].message.content, streamed, chunks, models,
    embedding: emb.data[0].embedding.length, error }));
}

main().catch((e) => { console.error(String(e && e.stack || e)); process.exit(1); });
