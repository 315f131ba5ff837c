"""Feedback strings of the course in English, Spanish, Chinese and Japanese, in one catalogue.

`t(key, **fields)` returns the message in the current language (`set_language`, or the
`COURSE_LANG` environment variable, default English); a missing translation falls back to English.
"""

from __future__ import annotations

import os
import string
import warnings

LANGUAGES = ("en", "es", "zh", "ja")
DEFAULT_LANGUAGE = "en"
LANGUAGE_ENV = "COURSE_LANG"

_chosen: str | None = None

# key -> {language: text}; `{name}` fields are filled by `t`, literal braces are doubled.
CATALOGUE: dict[str, dict[str, str]] = {
    # ------------------------------------------------------------------ framework
    "core.label.passed": {"en": "Correct", "es": "Correcto", "zh": "正确", "ja": "正解"},
    "core.label.failed": {"en": "Not yet", "es": "Todavía no", "zh": "还不对", "ja": "まだです"},
    "core.label.not_attempted": {
        "en": "Not attempted yet",
        "es": "Aún sin intentar",
        "zh": "尚未作答",
        "ja": "まだ取り組んでいません",
    },
    "core.label.hint": {"en": "Hint", "es": "Pista", "zh": "提示", "ja": "ヒント"},
    "core.label.solution": {"en": "Solution", "es": "Solución", "zh": "参考答案", "ja": "解答例"},
    "core.not_attempted": {
        "en": "replace the `None` / `...` in the exercise cell with your code, run that cell, "
        "then run this check again.",
        "es": "sustituye el `None` / `...` de la celda del ejercicio por tu código, ejecútala y "
        "vuelve a ejecutar esta comprobación.",
        "zh": "把练习单元格里的 `None` / `...` 换成你的代码，运行该单元格，然后再运行这个检查。",
        "ja": "演習セルの `None` / `...` を自分のコードに置き換えて実行し、もう一度このチェックを"
        "実行してください。",
    },
    "core.incomplete": {
        "en": "`{name}` is still the starter value `{value}`: finish that part of the exercise.",
        "es": "`{name}` sigue valiendo `{value}` (el valor inicial): termina esa parte del ejercicio.",
        "zh": "`{name}` 仍是初始值 `{value}`：请完成练习的这一部分。",
        "ja": "`{name}` がまだ初期値 `{value}` のままです。演習のその部分を完成させてください。",
    },
    "core.wrong_type": {
        "en": "`{name}` is a `{got}`, but it should be {expected}.",
        "es": "`{name}` es un `{got}`, pero debería ser {expected}.",
        "zh": "`{name}` 的类型是 `{got}`，但它应该是{expected}。",
        "ja": "`{name}` は `{got}` ですが、{expected}である必要があります。",
    },
    "core.raised": {
        "en": "your code raised `{error_type}`: {error}. Fix it, run the exercise cell again, "
        "then this check.",
        "es": "tu código lanzó `{error_type}`: {error}. Corrígelo, ejecuta de nuevo la celda del "
        "ejercicio y luego esta comprobación.",
        "zh": "你的代码抛出了 `{error_type}`：{error}。修正后重新运行练习单元格，再运行这个检查。",
        "ja": "あなたのコードが `{error_type}` を送出しました: {error}。修正して演習セルを再実行し、"
        "それからこのチェックを実行してください。",
    },
    "core.model_failed": {
        "en": "the model could not process your messages (`{error_type}`: {error}).",
        "es": "el modelo no pudo procesar tus mensajes (`{error_type}`: {error}).",
        "zh": "模型无法处理你的消息（`{error_type}`：{error}）。",
        "ja": "モデルがあなたのメッセージを処理できませんでした（`{error_type}`: {error}）。",
    },
    "core.internal_error": {
        "en": "the check itself failed (`{error_type}`: {error}). This is a bug in the course, "
        "not in your answer: please report it.",
        "es": "la propia comprobación falló (`{error_type}`: {error}). Es un error del curso, no "
        "de tu respuesta: por favor, avísanos.",
        "zh": "检查程序本身出错了（`{error_type}`：{error}）。这是课程的 bug，不是你的答案的问题，"
        "请报告给我们。",
        "ja": "チェック自体が失敗しました（`{error_type}`: {error}）。これはあなたの解答ではなく"
        "コースのバグです。報告してください。",
    },
    "core.not_set_up": {
        "en": "run `ex.setup(model, processor)` first (in the cell that loads the model), so the "
        "check can ask the model itself.",
        "es": "ejecuta primero `ex.setup(model, processor)` (en la celda que carga el modelo) para "
        "que la comprobación pueda preguntar al modelo.",
        "zh": "请先运行 `ex.setup(model, processor)`（在加载模型的单元格里），这样检查程序才能自己"
        "向模型提问。",
        "ja": "まず（モデルを読み込むセルで）`ex.setup(model, processor)` を実行してください。"
        "チェックがモデルに直接質問できるようになります。",
    },
    "core.no_more_hints": {
        "en": "There are only {count} hints; here is the last one.",
        "es": "Solo hay {count} pistas; aquí está la última.",
        "zh": "一共只有 {count} 条提示，这是最后一条。",
        "ja": "ヒントは {count} つだけです。最後のヒントを表示します。",
    },
    "core.solution_missing": {
        "en": "The solution file `{path}` was not found. Set the environment variable "
        "`COURSE_SOLUTIONS_DIR` to the course's `solutions/` folder, or read it online: {url}",
        "es": "No se encontró el archivo de solución `{path}`. Define la variable de entorno "
        "`COURSE_SOLUTIONS_DIR` con la carpeta `solutions/` del curso, o léela en línea: {url}",
        "zh": "找不到参考答案文件 `{path}`。请把环境变量 `COURSE_SOLUTIONS_DIR` 设为课程的 "
        "`solutions/` 文件夹，或在线查看：{url}",
        "ja": "解答ファイル `{path}` が見つかりません。環境変数 `COURSE_SOLUTIONS_DIR` にコースの "
        "`solutions/` フォルダを設定するか、オンラインで読んでください: {url}",
    },
    "core.unknown_language": {
        "en": "Unknown language {code!r}; using English. Available: {available}.",
        "es": "Idioma desconocido {code!r}; se usa el inglés. Disponibles: {available}.",
        "zh": "未知语言 {code!r}，改用英语。可用语言：{available}。",
        "ja": "不明な言語 {code!r} のため英語を使います。利用可能: {available}。",
    },
    "core.invalid_messages": {
        "en": "the messages are not a valid conversation: {error}",
        "es": "los mensajes no forman una conversación válida: {error}",
        "zh": "这些消息不是有效的对话：{error}",
        "ja": "メッセージが正しい会話の形になっていません: {error}",
    },
    "core.answer_empty": {
        "en": "`{name}` is an empty string. It should hold the text the model generated.",
        "es": "`{name}` es una cadena vacía. Debe contener el texto que generó el modelo.",
        "zh": "`{name}` 是空字符串，它应该是模型生成的文本。",
        "ja": "`{name}` が空文字列です。モデルが生成したテキストを入れてください。",
    },
    "core.answer_has_prompt": {
        "en": "`{name}` contains part of the prompt ({found!r}). An answer holds only the newly "
        "generated tokens: `chat(model, processor, messages)` cuts the prompt off for you.",
        "es": "`{name}` contiene parte del prompt ({found!r}). Una respuesta solo lleva los tokens "
        "nuevos: `chat(model, processor, messages)` recorta el prompt por ti.",
        "zh": "`{name}` 含有提示词的一部分（{found!r}）。答案只应包含新生成的 token："
        "`chat(model, processor, messages)` 会替你去掉提示词。",
        "ja": "`{name}` にプロンプトの一部（{found!r}）が含まれています。答えは新しく生成された"
        "トークンだけです。`chat(model, processor, messages)` がプロンプトを取り除いてくれます。",
    },
    "core.answer_mismatch": {
        "en": "`{name}` ({got!r}) is not what the model says for these messages ({expected!r}). "
        "Pass exactly these messages to `chat`, and re-run the cell after changing them.",
        "es": "`{name}` ({got!r}) no es lo que dice el modelo con estos mensajes ({expected!r}). "
        "Pasa exactamente estos mensajes a `chat` y vuelve a ejecutar la celda tras cambiarlos.",
        "zh": "`{name}`（{got!r}）不是模型针对这些消息给出的回答（{expected!r}）。请把这些消息原样"
        "传给 `chat`，修改后记得重新运行单元格。",
        "ja": "`{name}`（{got!r}）は、このメッセージに対するモデルの答え（{expected!r}）と違います。"
        "このメッセージをそのまま `chat` に渡し、変更したらセルを再実行してください。",
    },
    "type.messages": {
        "en": "a list of turns (dicts with 'role' and 'content')",
        "es": "una lista de turnos (dicts con 'role' y 'content')",
        "zh": "由对话轮次组成的列表（含 'role' 和 'content' 的 dict）",
        "ja": "ターン（'role' と 'content' を持つ dict）のリスト",
    },
    "type.str": {"en": "a string", "es": "una cadena (str)", "zh": "字符串", "ja": "文字列"},
    "type.function": {
        "en": "a function `answer_all(model, processor, pairs)`",
        "es": "una función `answer_all(model, processor, pairs)`",
        "zh": "函数 `answer_all(model, processor, pairs)`",
        "ja": "関数 `answer_all(model, processor, pairs)`",
    },
    "type.list_of_str": {
        "en": "a list of strings, one answer per pair",
        "es": "una lista de cadenas, una respuesta por par",
        "zh": "字符串列表（每对一个答案）",
        "ja": "文字列のリスト（ペアごとに 1 つの答え）",
    },
    "type.sampled": {
        "en": "the `SampledVideo` returned by `sample_frames`",
        "es": "el `SampledVideo` que devuelve `sample_frames`",
        "zh": "`sample_frames` 返回的 `SampledVideo`",
        "ja": "`sample_frames` が返す `SampledVideo`",
    },
    # ------------------------------------------------------------------ 🐢 turtle
    "turtle.passed": {
        "en": "one user turn with your picture and question, and `answer` is exactly the model's "
        "new text: {answer!r}.",
        "es": "un turno de usuario con tu imagen y tu pregunta, y `answer` es exactamente el texto "
        "nuevo del modelo: {answer!r}.",
        "zh": "一个包含图片和问题的用户轮次，`answer` 正是模型新生成的文本：{answer!r}。",
        "ja": "画像と質問を持つユーザーターンが 1 つ、`answer` はモデルが新しく生成したテキスト"
        "そのものです: {answer!r}。",
    },
    "turtle.ends_with_assistant": {
        "en": "the last turn is an assistant turn. The model writes the assistant turn itself: end "
        "the conversation with your user turn and let `chat` generate the answer.",
        "es": "el último turno es del asistente. El modelo escribe ese turno: termina la "
        "conversación con tu turno de usuario y deja que `chat` genere la respuesta.",
        "zh": "最后一轮是 assistant 轮次。assistant 的话由模型来写：让对话以你的 user 轮次结尾，"
        "由 `chat` 生成答案。",
        "ja": "最後のターンが assistant になっています。assistant のターンはモデルが書きます。"
        "会話をユーザーターンで終え、`chat` に答えを生成させてください。",
    },
    "turtle.user_turns": {
        "en": "expected exactly one user turn, found {count}. Put the picture and the question "
        "together in a single `{{'role': 'user', ...}}` turn.",
        "es": "se esperaba exactamente un turno de usuario y hay {count}. Pon la imagen y la "
        "pregunta juntas en un único turno `{{'role': 'user', ...}}`.",
        "zh": "应当恰好有一个 user 轮次，实际有 {count} 个。把图片和问题放在同一个 "
        "`{{'role': 'user', ...}}` 轮次里。",
        "ja": "ユーザーターンはちょうど 1 つのはずですが {count} 個あります。画像と質問を 1 つの "
        "`{{'role': 'user', ...}}` ターンにまとめてください。",
    },
    "turtle.image_count": {
        "en": "the user turn has {count} image parts; this exercise needs exactly one: "
        "`{{'type': 'image', 'image': picture}}`.",
        "es": "el turno de usuario tiene {count} partes de imagen; este ejercicio necesita "
        "exactamente una: `{{'type': 'image', 'image': picture}}`.",
        "zh": "user 轮次里有 {count} 个图片部分，本练习需要恰好一个："
        "`{{'type': 'image', 'image': picture}}`。",
        "ja": "ユーザーターンに画像パートが {count} 個あります。この演習ではちょうど 1 つ必要です: "
        "`{{'type': 'image', 'image': picture}}`。",
    },
    "turtle.bad_image": {
        "en": "the image part does not hold a picture the processor can open: {error}",
        "es": "la parte de imagen no contiene una imagen que el procesador pueda abrir: {error}",
        "zh": "图片部分里不是处理器能打开的图片：{error}",
        "ja": "画像パートに、プロセッサが開ける画像が入っていません: {error}",
    },
    "turtle.question_count": {
        "en": "the user turn has {count} text parts; write exactly one question: "
        "`{{'type': 'text', 'text': 'What color is the shape?'}}`.",
        "es": "el turno de usuario tiene {count} partes de texto; escribe exactamente una "
        "pregunta: `{{'type': 'text', 'text': 'What color is the shape?'}}`.",
        "zh": "user 轮次里有 {count} 个文本部分，请恰好写一个问题："
        "`{{'type': 'text', 'text': 'What color is the shape?'}}`。",
        "ja": "ユーザーターンにテキストパートが {count} 個あります。質問をちょうど 1 つ書いて"
        "ください: `{{'type': 'text', 'text': 'What color is the shape?'}}`。",
    },
    "turtle.empty_question": {
        "en": "the question text is empty. Ask something, e.g. 'What color is the shape?'.",
        "es": "el texto de la pregunta está vacío. Pregunta algo, p. ej. 'What color is the shape?'.",
        "zh": "问题文本是空的。请问点什么，例如 'What color is the shape?'。",
        "ja": "質問のテキストが空です。例えば 'What color is the shape?' のように質問してください。",
    },
    "turtle.hint.1": {
        "en": "A conversation is a list of turns. Here you need one: `{'role': 'user', 'content': "
        "[...]}` whose content holds an image part and a text part.",
        "es": "Una conversación es una lista de turnos. Aquí necesitas uno: `{'role': 'user', "
        "'content': [...]}` cuyo contenido tiene una parte de imagen y una de texto.",
        "zh": "对话是轮次的列表。这里只需要一个：`{'role': 'user', 'content': [...]}`，"
        "content 里放一个图片部分和一个文本部分。",
        "ja": "会話はターンのリストです。ここでは `{'role': 'user', 'content': [...]}` が 1 つ"
        "あればよく、content に画像パートとテキストパートを入れます。",
    },
    "turtle.hint.2": {
        "en": "`messages = [{'role': 'user', 'content': [{'type': 'image', 'image': picture}, "
        "{'type': 'text', 'text': 'What color is the shape?'}]}]`, then "
        "`answer = chat(model, processor, messages)`.",
        "es": "`messages = [{'role': 'user', 'content': [{'type': 'image', 'image': picture}, "
        "{'type': 'text', 'text': 'What color is the shape?'}]}]` y luego "
        "`answer = chat(model, processor, messages)`.",
        "zh": "`messages = [{'role': 'user', 'content': [{'type': 'image', 'image': picture}, "
        "{'type': 'text', 'text': 'What color is the shape?'}]}]`，然后 "
        "`answer = chat(model, processor, messages)`。",
        "ja": "`messages = [{'role': 'user', 'content': [{'type': 'image', 'image': picture}, "
        "{'type': 'text', 'text': 'What color is the shape?'}]}]` としてから "
        "`answer = chat(model, processor, messages)`。",
    },
    # ------------------------------------------------------------------ 🐕 dog
    "dog.passed": {
        "en": "{count} answers from {calls} batched `generate` call(s), left-padded, identical to "
        "one-by-one answers and in input order.",
        "es": "{count} respuestas en {calls} llamada(s) por lotes a `generate`, con relleno a la "
        "izquierda, idénticas a las de una en una y en el orden de entrada.",
        "zh": "{count} 个答案来自 {calls} 次批量 `generate` 调用，左侧填充，与逐个生成的答案完全"
        "一致，且顺序与输入相同。",
        "ja": "{count} 個の答えを {calls} 回のバッチ `generate` 呼び出しで生成。左パディングで、"
        "1 つずつ生成した答えと同一、入力順どおりです。",
    },
    "dog.not_strings": {
        "en": "item {index} of the result is a `{got}`, not a string. Decode the new tokens to text "
        "with `processor.batch_decode(new_tokens, skip_special_tokens=True)`.",
        "es": "el elemento {index} del resultado es un `{got}`, no una cadena. Decodifica los "
        "tokens nuevos con `processor.batch_decode(new_tokens, skip_special_tokens=True)`.",
        "zh": "结果的第 {index} 项是 `{got}`，不是字符串。请用 "
        "`processor.batch_decode(new_tokens, skip_special_tokens=True)` 把新 token 解码成文本。",
        "ja": "結果の {index} 番目が文字列ではなく `{got}` です。"
        "`processor.batch_decode(new_tokens, skip_special_tokens=True)` で新しいトークンを"
        "テキストにデコードしてください。",
    },
    "dog.wrong_length": {
        "en": "got {got} answers for {expected} pairs. Return exactly one answer per "
        "(image, question) pair.",
        "es": "hay {got} respuestas para {expected} pares. Devuelve exactamente una respuesta por "
        "par (imagen, pregunta).",
        "zh": "{expected} 对输入却得到 {got} 个答案。每个 (图片, 问题) 对应返回恰好一个答案。",
        "ja": "{expected} 組に対して答えが {got} 個です。(画像, 質問) の組ごとにちょうど 1 つの"
        "答えを返してください。",
    },
    "dog.contains_prompt": {
        "en": "answer {index} ({answer!r}) contains the prompt ({found!r}). `generate` returns "
        "prompt + new tokens: keep only `output[:, inputs['input_ids'].shape[1]:]` before decoding.",
        "es": "la respuesta {index} ({answer!r}) contiene el prompt ({found!r}). `generate` "
        "devuelve prompt + tokens nuevos: quédate con `output[:, inputs['input_ids'].shape[1]:]` "
        "antes de decodificar.",
        "zh": "第 {index} 个答案（{answer!r}）包含提示词（{found!r}）。`generate` 返回的是提示词加"
        "新 token：解码前只保留 `output[:, inputs['input_ids'].shape[1]:]`。",
        "ja": "{index} 番目の答え（{answer!r}）にプロンプト（{found!r}）が含まれています。"
        "`generate` はプロンプト＋新しいトークンを返します。デコード前に "
        "`output[:, inputs['input_ids'].shape[1]:]` だけを残してください。",
    },
    "dog.right_padding": {
        "en": "the batch was padded on the right (row {row} has padding after its prompt). The "
        "model continues from the last position, so padding must go on the left: "
        "`padding_side='left'` (`prepare_inputs` does it for you).",
        "es": "el lote se rellenó por la derecha (la fila {row} tiene relleno tras su prompt). El "
        "modelo continúa desde la última posición, así que el relleno va a la izquierda: "
        "`padding_side='left'` (`prepare_inputs` lo hace por ti).",
        "zh": "这个批次在右侧做了填充（第 {row} 行在提示词之后有填充）。模型从最后一个位置继续"
        "生成，所以填充必须放在左侧：`padding_side='left'`（`prepare_inputs` 会替你做）。",
        "ja": "バッチが右側にパディングされています（{row} 行目のプロンプトの後にパディング）。"
        "モデルは最後の位置から続きを生成するので、パディングは左側に: `padding_side='left'`"
        "（`prepare_inputs` がやってくれます）。",
    },
    "dog.wrong_order": {
        "en": "the answers are right but in the wrong order. Return them in the order of `pairs` "
        "(don't sort, group or reverse them).",
        "es": "las respuestas son correctas pero están en otro orden. Devuélvelas en el orden de "
        "`pairs` (sin ordenarlas, agruparlas ni invertirlas).",
        "zh": "答案本身正确，但顺序不对。请按 `pairs` 的顺序返回（不要排序、分组或反转）。",
        "ja": "答えは正しいのですが順番が違います。`pairs` の順番で返してください（並べ替え・"
        "グループ化・反転をしない）。",
    },
    "dog.differs": {
        "en": "answer {index} differs from the one-by-one answer: got {got!r}, expected "
        "{expected!r}. Batched answers must equal one-by-one ones: pad on the left, decode "
        "greedily (`do_sample=False`) and keep only the new tokens.",
        "es": "la respuesta {index} difiere de la obtenida de una en una: {got!r} en vez de "
        "{expected!r}. Las respuestas en lote deben ser iguales: relleno a la izquierda, "
        "decodificación voraz (`do_sample=False`) y solo los tokens nuevos.",
        "zh": "第 {index} 个答案与逐个生成的不同：得到 {got!r}，应为 {expected!r}。批量答案必须"
        "与逐个答案相同：左侧填充、贪心解码（`do_sample=False`）、只保留新 token。",
        "ja": "{index} 番目の答えが 1 つずつ生成した答えと違います: {got!r}（期待値 "
        "{expected!r}）。バッチの答えは同じになるはずです: 左パディング、貪欲デコード"
        "（`do_sample=False`）、新しいトークンだけを残す。",
    },
    "dog.not_batched": {
        "en": "`model.generate` ran {calls} times for {count} pairs, i.e. one by one. Put the pairs "
        "into one padded batch and call `generate` once.",
        "es": "`model.generate` se ejecutó {calls} veces para {count} pares, es decir, de uno en "
        "uno. Junta los pares en un lote con relleno y llama a `generate` una vez.",
        "zh": "{count} 对输入调用了 {calls} 次 `model.generate`，也就是逐个生成。请把它们放进一个"
        "填充后的批次，只调用一次 `generate`。",
        "ja": "{count} 組に対して `model.generate` が {calls} 回実行されました。つまり 1 つずつ"
        "です。全組を 1 つのパディング済みバッチにまとめ、`generate` を 1 回だけ呼んでください。",
    },
    "dog.hint.1": {
        "en": "Turn every pair into a conversation (`build_messages(question, images)`), then "
        "`prepare_inputs(processor, conversations)` gives one left-padded batch for a single "
        "`model.generate(...)` call.",
        "es": "Convierte cada par en una conversación (`build_messages(question, images)`); luego "
        "`prepare_inputs(processor, conversations)` da un lote con relleno a la izquierda para una "
        "sola llamada a `model.generate(...)`.",
        "zh": "把每一对转换成对话（`build_messages(question, images)`），然后用 "
        "`prepare_inputs(processor, conversations)` 得到一个左侧填充的批次，只调用一次 "
        "`model.generate(...)`。",
        "ja": "各組を会話に変換し（`build_messages(question, images)`）、"
        "`prepare_inputs(processor, conversations)` で左パディングされた 1 つのバッチを作り、"
        "`model.generate(...)` を 1 回呼びます。",
    },
    "dog.hint.2": {
        "en": "`inputs = move_to(prepare_inputs(...), model.device, model.dtype)`; "
        "`output = model.generate(**inputs, max_new_tokens=32, do_sample=False)`; the new tokens "
        "are `output[:, inputs['input_ids'].shape[1]:]`; decode them with "
        "`processor.batch_decode(..., skip_special_tokens=True)` and `.strip()` each answer.",
        "es": "`inputs = move_to(prepare_inputs(...), model.device, model.dtype)`; "
        "`output = model.generate(**inputs, max_new_tokens=32, do_sample=False)`; los tokens "
        "nuevos son `output[:, inputs['input_ids'].shape[1]:]`; decodifícalos con "
        "`processor.batch_decode(..., skip_special_tokens=True)` y aplica `.strip()` a cada una.",
        "zh": "`inputs = move_to(prepare_inputs(...), model.device, model.dtype)`；"
        "`output = model.generate(**inputs, max_new_tokens=32, do_sample=False)`；新 token 是 "
        "`output[:, inputs['input_ids'].shape[1]:]`；用 "
        "`processor.batch_decode(..., skip_special_tokens=True)` 解码，并对每个答案 `.strip()`。",
        "ja": "`inputs = move_to(prepare_inputs(...), model.device, model.dtype)`、"
        "`output = model.generate(**inputs, max_new_tokens=32, do_sample=False)`。新しい"
        "トークンは `output[:, inputs['input_ids'].shape[1]:]` です。"
        "`processor.batch_decode(..., skip_special_tokens=True)` でデコードし、各答えを "
        "`.strip()` します。",
    },
    # ------------------------------------------------------------------ 🦁 lion
    "lion.passed": {
        "en": "{count} frames from {first:.1f} s to {last:.1f} s, each after its timestamp, the "
        "question last; the model says {answer!r}.",
        "es": "{count} fotogramas de {first:.1f} s a {last:.1f} s, cada uno tras su marca de "
        "tiempo y la pregunta al final; el modelo dice {answer!r}.",
        "zh": "{count} 帧，从 {first:.1f} 秒到 {last:.1f} 秒，每帧前都有时间戳，问题在最后；"
        "模型回答 {answer!r}。",
        "ja": "{first:.1f} 秒から {last:.1f} 秒までの {count} フレーム、各フレームの前に"
        "タイムスタンプ、最後に質問。モデルの答え: {answer!r}。",
    },
    "lion.frame_count": {
        "en": "`sampled` has {got} frames; sample exactly {expected} "
        "(`sample_frames(path, num_frames={expected})`).",
        "es": "`sampled` tiene {got} fotogramas; toma exactamente {expected} "
        "(`sample_frames(path, num_frames={expected})`).",
        "zh": "`sampled` 有 {got} 帧，请恰好采样 {expected} 帧"
        "（`sample_frames(path, num_frames={expected})`）。",
        "ja": "`sampled` のフレーム数は {got} です。ちょうど {expected} フレームをサンプリング"
        "してください（`sample_frames(path, num_frames={expected})`）。",
    },
    "lion.timestamps_length": {
        "en": "`sampled` has {frames} frames but {timestamps} timestamps; every frame needs its own time.",
        "es": "`sampled` tiene {frames} fotogramas pero {timestamps} marcas de tiempo; cada "
        "fotograma necesita la suya.",
        "zh": "`sampled` 有 {frames} 帧却有 {timestamps} 个时间戳，每一帧都需要自己的时间。",
        "ja": "`sampled` はフレームが {frames} 個なのにタイムスタンプが {timestamps} 個です。"
        "各フレームに時刻が 1 つずつ必要です。",
    },
    "lion.not_increasing": {
        "en": "the timestamps do not increase ({previous:.2f} s, then {current:.2f} s). Keep the "
        "frames in time order.",
        "es": "las marcas de tiempo no crecen ({previous:.2f} s y luego {current:.2f} s). Mantén "
        "los fotogramas en orden temporal.",
        "zh": "时间戳没有递增（{previous:.2f} 秒之后是 {current:.2f} 秒）。请按时间顺序排列帧。",
        "ja": "タイムスタンプが増加していません（{previous:.2f} 秒の次が {current:.2f} 秒）。"
        "フレームを時間順に並べてください。",
    },
    "lion.outside": {
        "en": "timestamp {value:.2f} s lies outside the video (0 to {duration:.2f} s).",
        "es": "la marca de tiempo {value:.2f} s está fuera del vídeo (de 0 a {duration:.2f} s).",
        "zh": "时间戳 {value:.2f} 秒超出了视频范围（0 到 {duration:.2f} 秒）。",
        "ja": "タイムスタンプ {value:.2f} 秒が動画の範囲（0〜{duration:.2f} 秒）の外です。",
    },
    "lion.uneven": {
        "en": "the frames are not evenly spaced: gaps range from {smallest:.2f} s to "
        "{largest:.2f} s. `sample_frames(path, num_frames=N)` spreads them evenly.",
        "es": "los fotogramas no están espaciados por igual: los huecos van de {smallest:.2f} s a "
        "{largest:.2f} s. `sample_frames(path, num_frames=N)` los reparte por igual.",
        "zh": "帧之间的间隔不均匀：从 {smallest:.2f} 秒到 {largest:.2f} 秒不等。"
        "`sample_frames(path, num_frames=N)` 会均匀分布它们。",
        "ja": "フレームの間隔が均等ではありません（{smallest:.2f}〜{largest:.2f} 秒）。"
        "`sample_frames(path, num_frames=N)` なら均等に配置されます。",
    },
    "lion.not_covering": {
        "en": "the frames cover only {covered:.1f} s of a {duration:.1f} s video. Spread them over "
        "the whole video (`num_frames=`, or a low `fps`).",
        "es": "los fotogramas cubren solo {covered:.1f} s de un vídeo de {duration:.1f} s. "
        "Repártelos por todo el vídeo (`num_frames=`, o un `fps` bajo).",
        "zh": "这些帧只覆盖了 {duration:.1f} 秒视频中的 {covered:.1f} 秒。请把它们分布到整个视频"
        "（用 `num_frames=` 或较低的 `fps`）。",
        "ja": "フレームが {duration:.1f} 秒の動画のうち {covered:.1f} 秒しかカバーしていません。"
        "動画全体に広げてください（`num_frames=` か低い `fps`）。",
    },
    "lion.frame_mismatch": {
        "en": "frame {index} shows second {shown}, but its timestamp says {timestamp:.2f} s. Keep "
        "each frame together with its own timestamp (don't reorder or replace frames).",
        "es": "el fotograma {index} muestra el segundo {shown}, pero su marca dice "
        "{timestamp:.2f} s. Mantén cada fotograma con su propia marca de tiempo.",
        "zh": "第 {index} 帧显示的是第 {shown} 秒，但它的时间戳是 {timestamp:.2f} 秒。"
        "请让每一帧和它自己的时间戳保持对应（不要重排或替换帧）。",
        "ja": "{index} 番目のフレームは {shown} 秒目を映していますが、タイムスタンプは "
        "{timestamp:.2f} 秒です。各フレームを自分のタイムスタンプと対応させてください。",
    },
    "lion.last_not_user": {
        "en": "the conversation must end with the user turn that holds the frames and the question.",
        "es": "la conversación debe terminar con el turno de usuario que lleva los fotogramas y la "
        "pregunta.",
        "zh": "对话必须以包含这些帧和问题的 user 轮次结尾。",
        "ja": "会話は、フレームと質問を含むユーザーターンで終わる必要があります。",
    },
    "lion.video_part": {
        "en": "the messages hold a video part. SmolVLM v1 has no video input: give each frame as "
        "an image part, preceded by a text part with its timestamp.",
        "es": "los mensajes contienen una parte de vídeo. SmolVLM v1 no acepta vídeo: pon cada "
        "fotograma como parte de imagen, precedida de un texto con su marca de tiempo.",
        "zh": "消息里有 video 部分。SmolVLM v1 没有视频输入：请把每一帧作为图片部分，并在它前面"
        "放一个写着时间戳的文本部分。",
        "ja": "メッセージに video パートがあります。SmolVLM v1 には動画入力がありません。各"
        "フレームを画像パートにし、その前にタイムスタンプのテキストパートを置いてください。",
    },
    "lion.image_count": {
        "en": "the messages hold {got} images but you sampled {expected} frames: include every "
        "sampled frame exactly once.",
        "es": "los mensajes tienen {got} imágenes pero muestreaste {expected} fotogramas: incluye "
        "cada fotograma exactamente una vez.",
        "zh": "消息里有 {got} 张图片，但你采样了 {expected} 帧：每一帧都要恰好出现一次。",
        "ja": "メッセージの画像は {got} 枚ですが、サンプリングしたフレームは {expected} 個です。"
        "各フレームをちょうど 1 回ずつ入れてください。",
    },
    "lion.images_not_frames": {
        "en": "image {index} in the messages is not frame {index} of `sampled`. Put the sampled "
        "frames in, in order.",
        "es": "la imagen {index} de los mensajes no es el fotograma {index} de `sampled`. Pon los "
        "fotogramas muestreados, en orden.",
        "zh": "消息中的第 {index} 张图片不是 `sampled` 的第 {index} 帧。请按顺序放入采样的帧。",
        "ja": "メッセージの {index} 番目の画像が `sampled` の {index} 番目のフレームではありません。"
        "サンプリングしたフレームを順番どおりに入れてください。",
    },
    "lion.missing_timestamp": {
        "en": "image {index} is not preceded by a text part with its time. Put e.g. "
        "`{{'type': 'text', 'text': 'Frame at {expected}:'}}` right before it.",
        "es": "la imagen {index} no va precedida de un texto con su tiempo. Pon, p. ej., "
        "`{{'type': 'text', 'text': 'Frame at {expected}:'}}` justo antes.",
        "zh": "第 {index} 张图片前面没有写着时间的文本部分。请在它前面紧挨着放，例如 "
        "`{{'type': 'text', 'text': 'Frame at {expected}:'}}`。",
        "ja": "{index} 番目の画像の直前に時刻のテキストパートがありません。例えば "
        "`{{'type': 'text', 'text': 'Frame at {expected}:'}}` を直前に置いてください。",
    },
    "lion.wrong_timestamp": {
        "en": "the text before image {index} ({text!r}) does not give its time, {expected}.",
        "es": "el texto antes de la imagen {index} ({text!r}) no indica su tiempo, {expected}.",
        "zh": "第 {index} 张图片前的文本（{text!r}）没有给出它的时间 {expected}。",
        "ja": "{index} 番目の画像の前のテキスト（{text!r}）が、その時刻 {expected} を示していません。",
    },
    "lion.question_not_last": {
        "en": "the last part of the user turn must be your question (text), after all the frames.",
        "es": "la última parte del turno de usuario debe ser tu pregunta (texto), después de todos "
        "los fotogramas.",
        "zh": "user 轮次的最后一部分必须是你的问题（文本），放在所有帧之后。",
        "ja": "ユーザーターンの最後のパートは、すべてのフレームの後に置いた質問（テキスト）で"
        "なければなりません。",
    },
    "lion.hint.1": {
        "en": "`make_test_video(folder / 'clip.mp4', seconds=8, size=(160, 120))`, then "
        "`sample_frames(path, num_frames=NUM_FRAMES)`. For each frame and its timestamp add a text "
        "part 'Frame at MM:SS:' and then the image part; finish with the question.",
        "es": "`make_test_video(folder / 'clip.mp4', seconds=8, size=(160, 120))` y luego "
        "`sample_frames(path, num_frames=NUM_FRAMES)`. Por cada fotograma y su marca añade un "
        "texto 'Frame at MM:SS:' y después la imagen; termina con la pregunta.",
        "zh": "`make_test_video(folder / 'clip.mp4', seconds=8, size=(160, 120))`，然后 "
        "`sample_frames(path, num_frames=NUM_FRAMES)`。对每一帧及其时间戳，先加一个文本部分 "
        "'Frame at MM:SS:'，再加图片部分；最后放问题。",
        "ja": "`make_test_video(folder / 'clip.mp4', seconds=8, size=(160, 120))` の後に "
        "`sample_frames(path, num_frames=NUM_FRAMES)`。各フレームとタイムスタンプについて、"
        "テキストパート 'Frame at MM:SS:' と画像パートを順に追加し、最後に質問を置きます。",
    },
    "lion.hint.2": {
        "en": "`for frame, t in zip(sampled.frames, sampled.timestamps): parts += "
        "[{'type': 'text', 'text': f'Frame at {int(t) // 60:02d}:{int(t) % 60:02d}:'}, "
        "{'type': 'image', 'image': frame}]`; then `parts.append({'type': 'text', 'text': "
        "question})` and `chat(model, processor, [{'role': 'user', 'content': parts}])`. "
        "(`course_utils.video.video_to_image_parts` builds the same parts.)",
        "es": "`for frame, t in zip(sampled.frames, sampled.timestamps): parts += "
        "[{'type': 'text', 'text': f'Frame at {int(t) // 60:02d}:{int(t) % 60:02d}:'}, "
        "{'type': 'image', 'image': frame}]`; luego `parts.append({'type': 'text', 'text': "
        "question})` y `chat(model, processor, [{'role': 'user', 'content': parts}])`. "
        "(`course_utils.video.video_to_image_parts` construye las mismas partes.)",
        "zh": "`for frame, t in zip(sampled.frames, sampled.timestamps): parts += "
        "[{'type': 'text', 'text': f'Frame at {int(t) // 60:02d}:{int(t) % 60:02d}:'}, "
        "{'type': 'image', 'image': frame}]`；然后 `parts.append({'type': 'text', 'text': "
        "question})`，再 `chat(model, processor, [{'role': 'user', 'content': parts}])`。"
        "（`course_utils.video.video_to_image_parts` 能构造同样的部分。）",
        "ja": "`for frame, t in zip(sampled.frames, sampled.timestamps): parts += "
        "[{'type': 'text', 'text': f'Frame at {int(t) // 60:02d}:{int(t) % 60:02d}:'}, "
        "{'type': 'image', 'image': frame}]`。次に `parts.append({'type': 'text', 'text': "
        "question})` として `chat(model, processor, [{'role': 'user', 'content': parts}])`。"
        "（`course_utils.video.video_to_image_parts` でも同じパートが作れます。）",
    },
}

# Hints are shown verbatim (never formatted), so their braces are literal.
VERBATIM_PREFIXES = ("turtle.hint.", "dog.hint.", "lion.hint.")


def available_languages() -> tuple[str, ...]:
    return LANGUAGES


def set_language(code: str | None) -> str:
    """Use `code` (en, es, zh, ja) for feedback; unknown codes fall back to English.

    `None` goes back to following `$COURSE_LANG`.
    """
    global _chosen
    _chosen = None if code is None else _normalise(code)
    return get_language()


def get_language() -> str:
    """The language in use: the one set with `set_language`, else `$COURSE_LANG`, else English."""
    if _chosen is not None:
        return _chosen
    return _normalise(os.environ.get(LANGUAGE_ENV) or DEFAULT_LANGUAGE)


def _normalise(code: str | None) -> str:
    if not code:
        return DEFAULT_LANGUAGE
    short = str(code).strip().lower().replace("_", "-").split("-")[0]
    if short in LANGUAGES:
        return short
    warnings.warn(
        CATALOGUE["core.unknown_language"]["en"].format(code=code, available=", ".join(LANGUAGES)),
        stacklevel=3,
    )
    return DEFAULT_LANGUAGE


def t(key: str, language: str | None = None, **fields) -> str:
    """The message `key` in the current (or given) language with `fields` filled in."""
    entry = CATALOGUE[key]
    language = _normalise(language) if language else get_language()
    text = entry.get(language) or entry[DEFAULT_LANGUAGE]
    if key.startswith(VERBATIM_PREFIXES):
        return text
    return text.format(**fields)


def field_names(text: str) -> set[str]:
    """The `{fields}` a catalogue text expects (used by tests to compare translations)."""
    return {name.split("!")[0].split(":")[0] for _, name, _, _ in string.Formatter().parse(text) if name}
