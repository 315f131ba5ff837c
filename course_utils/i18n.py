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
    # ================================================================== lesson 2: fine-tuning
    # Lesson 2 reuses the exercise names turtle / dog / lion: its keys carry the "finetuning." prefix
    # (see `Lesson(catalogue_prefix=...)`); outcomes still record the unprefixed code.
    "type.rows": {
        "en": "a `datasets.Dataset` or a list of row dicts",
        "es": "un `datasets.Dataset` o una lista de filas (dicts)",
        "zh": "`datasets.Dataset` 或由行（dict）组成的列表",
        "ja": "`datasets.Dataset` または行（dict）のリスト",
    },
    "type.eval_result": {
        "en": "the `EvalResult` that `evaluate(...)` returns",
        "es": "el `EvalResult` que devuelve `evaluate(...)`",
        "zh": "`evaluate(...)` 返回的 `EvalResult`",
        "ja": "`evaluate(...)` が返す `EvalResult`",
    },
    "type.trainer": {
        "en": "the trainer that `finetune(...)` returns",
        "es": "el trainer que devuelve `finetune(...)`",
        "zh": "`finetune(...)` 返回的 trainer",
        "ja": "`finetune(...)` が返す trainer",
    },
    "type.dpo_trainer": {
        "en": "the trainer that `train_dpo(...)` returns",
        "es": "el trainer que devuelve `train_dpo(...)`",
        "zh": "`train_dpo(...)` 返回的 trainer",
        "ja": "`train_dpo(...)` が返す trainer",
    },
    "type.format_row": {
        "en": "a function `format_row(row)` returning `{{'messages': [...], 'images': [...]}}`",
        "es": "una función `format_row(row)` que devuelva `{{'messages': [...], 'images': [...]}}`",
        "zh": "返回 `{{'messages': [...], 'images': [...]}}` 的函数 `format_row(row)`",
        "ja": "`{{'messages': [...], 'images': [...]}}` を返す関数 `format_row(row)`",
    },
    "type.formatted_row": {
        "en": "a dict `{{'messages': [...], 'images': [...]}}`",
        "es": "un dict `{{'messages': [...], 'images': [...]}}`",
        "zh": "dict `{{'messages': [...], 'images': [...]}}`",
        "ja": "dict `{{'messages': [...], 'images': [...]}}`",
    },
    "type.comparison": {
        "en": "a dict of `EvalResult`s such as `{{'before': ..., 'SFT': ..., 'DPO': ...}}`",
        "es": "un dict de `EvalResult` como `{{'before': ..., 'SFT': ..., 'DPO': ...}}`",
        "zh": "由 `EvalResult` 组成的 dict，例如 `{{'before': ..., 'SFT': ..., 'DPO': ...}}`",
        "ja": "`{{'before': ..., 'SFT': ..., 'DPO': ...}}` のような `EvalResult` の dict",
    },
    # ------------------------------------------------------------------ formatted rows (🐢 🐕 🦁)
    "finetuning.lesson.base_modified": {
        "en": "the lesson's `model` now carries LoRA adapters: it was trained in place "
        "(`finetune` and `train_dpo` wrap the model you pass). Keep `model` as the untouched base "
        "and train a fresh copy: `sft_model, _ = load_vlm(MODEL, quantization=QUANTIZATION)`. "
        "Re-run the notebook from the cell that loads the model.",
        "es": "el `model` de la lección lleva ahora adaptadores LoRA: se entrenó en el sitio "
        "(`finetune` y `train_dpo` envuelven el modelo que les pasas). Deja `model` como base intacta "
        "y entrena una copia nueva: `sft_model, _ = load_vlm(MODEL, quantization=QUANTIZATION)`. "
        "Vuelve a ejecutar el cuaderno desde la celda que carga el modelo.",
        "zh": "课程的 `model` 现在带着 LoRA 适配器：它被原地训练了（`finetune` 和 `train_dpo` "
        "会包装你传入的模型）。请让 `model` 保持为未改动的基座模型，训练一个新副本："
        "`sft_model, _ = load_vlm(MODEL, quantization=QUANTIZATION)`。然后从加载模型的单元格起重新"
        "运行笔记本。",
        "ja": "レッスンの `model` に LoRA アダプタが付いています。その場で学習されました"
        "（`finetune` と `train_dpo` は渡したモデルを包みます）。`model` は手つかずのベースのまま"
        "にして、新しいコピーを学習してください: "
        "`sft_model, _ = load_vlm(MODEL, quantization=QUANTIZATION)`。モデルを読み込むセルから"
        "ノートブックを再実行してください。",
    },
    "finetuning.rows.empty": {
        "en": "`{name}` has no rows.",
        "es": "`{name}` no tiene filas.",
        "zh": "`{name}` 没有任何行。",
        "ja": "`{name}` に行がありません。",
    },
    "finetuning.rows.keys": {
        "en": "row {index} has the keys {keys}; it is missing {missing}. A training row is "
        "`{{'messages': [...turns...], 'images': [pictures]}}`, what trl's trainers expect.",
        "es": "la fila {index} tiene las claves {keys}; le falta {missing}. Una fila de entrenamiento "
        "es `{{'messages': [...turnos...], 'images': [imágenes]}}`, lo que esperan los trainers de trl.",
        "zh": "第 {index} 行的键是 {keys}，缺少 {missing}。训练行的格式是 "
        "`{{'messages': [...轮次...], 'images': [图片]}}`，这是 trl 训练器所需要的。",
        "ja": "{index} 行目のキーは {keys} で、{missing} がありません。学習用の行は trl の "
        "trainer が期待する `{{'messages': [...ターン...], 'images': [画像]}}` です。",
    },
    "finetuning.rows.messages_not_turns": {
        "en": "row {index}: `messages` is a `{got}`; it should be a list of turns "
        "(dicts with 'role' and 'content').",
        "es": "fila {index}: `messages` es un `{got}`; debería ser una lista de turnos "
        "(dicts con 'role' y 'content').",
        "zh": "第 {index} 行：`messages` 是 `{got}`，应当是轮次的列表（含 'role' 和 'content' 的 dict）。",
        "ja": "{index} 行目: `messages` が `{got}` です。ターン（'role' と 'content' を持つ dict）の"
        "リストにしてください。",
    },
    "finetuning.rows.no_user_turn": {
        "en": "row {index} has no user turn (roles: {roles}). The question and the image "
        "placeholder go in a `{{'role': 'user', ...}}` turn.",
        "es": "la fila {index} no tiene turno de usuario (roles: {roles}). La pregunta y el "
        "marcador de imagen van en un turno `{{'role': 'user', ...}}`.",
        "zh": "第 {index} 行没有 user 轮次（角色：{roles}）。问题和图片占位符放在 "
        "`{{'role': 'user', ...}}` 轮次里。",
        "ja": "{index} 行目にユーザーターンがありません（ロール: {roles}）。質問と画像の"
        "プレースホルダーは `{{'role': 'user', ...}}` ターンに入れます。",
    },
    "finetuning.rows.image_in_message": {
        "en": "row {index} puts the PIL picture inside the message. trl's vision trainers want a bare "
        "placeholder `{{'type': 'image'}}` in the message and the picture itself in the row's "
        "`images` list (a dataset column cannot store pictures inside the chat turns).",
        "es": "la fila {index} mete la imagen PIL dentro del mensaje. Los trainers de visión de trl "
        "quieren un marcador `{{'type': 'image'}}` en el mensaje y la imagen en la lista `images` de "
        "la fila (una columna de dataset no puede guardar imágenes dentro de los turnos).",
        "zh": "第 {index} 行把 PIL 图片放进了消息里。trl 的视觉训练器要求消息里只放占位符 "
        "`{{'type': 'image'}}`，图片本身放进该行的 `images` 列表（数据集的列无法在对话轮次里存图片）。",
        "ja": "{index} 行目は PIL 画像をメッセージの中に入れています。trl のビジョン trainer は"
        "メッセージに `{{'type': 'image'}}` というプレースホルダーだけを置き、画像そのものは行の "
        "`images` リストに入れることを求めます（データセットの列は会話ターンの中に画像を保存できません）。",
    },
    "finetuning.rows.images_not_list": {
        "en": "row {index}: `images` is a `{got}`; make it a list of pictures, one per "
        "`{{'type': 'image'}}` placeholder, e.g. `[row['image']]`.",
        "es": "fila {index}: `images` es un `{got}`; debe ser una lista de imágenes, una por cada "
        "marcador `{{'type': 'image'}}`, p. ej. `[row['image']]`.",
        "zh": "第 {index} 行：`images` 是 `{got}`，应是图片列表，每个 `{{'type': 'image'}}` 占位符"
        "对应一张，例如 `[row['image']]`。",
        "ja": "{index} 行目: `images` が `{got}` です。`{{'type': 'image'}}` プレースホルダーごとに "
        "1 枚の画像のリストにしてください（例: `[row['image']]`）。",
    },
    "finetuning.rows.no_placeholder": {
        "en": "row {index} has no `{{'type': 'image'}}` placeholder in its messages, so the "
        "processor has nowhere to put the picture's tokens: the model would train blind. Put one "
        "before the question in the user turn.",
        "es": "la fila {index} no tiene ningún marcador `{{'type': 'image'}}` en sus mensajes, así "
        "que el procesador no sabe dónde poner los tokens de la imagen: el modelo entrenaría a "
        "ciegas. Pon uno antes de la pregunta en el turno de usuario.",
        "zh": "第 {index} 行的消息里没有 `{{'type': 'image'}}` 占位符，处理器不知道把图片 token "
        "放在哪里：模型等于在看不见图的情况下训练。请在 user 轮次的问题前放一个占位符。",
        "ja": "{index} 行目のメッセージに `{{'type': 'image'}}` プレースホルダーがないため、"
        "プロセッサは画像トークンを置く場所がなく、モデルは画像を見ずに学習することになります。"
        "ユーザーターンの質問の前に 1 つ置いてください。",
    },
    "finetuning.rows.image_count": {
        "en": "row {index} has {placeholders} image placeholder(s) but {images} picture(s) in "
        "`images`: the processor pairs them one for one.",
        "es": "la fila {index} tiene {placeholders} marcador(es) de imagen pero {images} imagen(es) "
        "en `images`: el procesador los empareja uno a uno.",
        "zh": "第 {index} 行有 {placeholders} 个图片占位符，但 `images` 里有 {images} 张图片："
        "处理器会一一对应地配对它们。",
        "ja": "{index} 行目には画像プレースホルダーが {placeholders} 個ありますが、`images` には"
        "画像が {images} 枚あります。プロセッサはこれらを 1 対 1 で対応させます。",
    },
    "finetuning.rows.not_a_picture": {
        "en": "row {index}: `images` holds a `{got}`, not a PIL picture.",
        "es": "fila {index}: `images` contiene un `{got}`, no una imagen PIL.",
        "zh": "第 {index} 行：`images` 里是 `{got}`，不是 PIL 图片。",
        "ja": "{index} 行目: `images` に PIL 画像ではなく `{got}` が入っています。",
    },
    "finetuning.rows.no_question": {
        "en": "row {index}: the user turn has no question text. Add `{{'type': 'text', 'text': "
        "question}}` after the image placeholder.",
        "es": "fila {index}: el turno de usuario no tiene texto de pregunta. Añade `{{'type': "
        "'text', 'text': question}}` después del marcador de imagen.",
        "zh": "第 {index} 行：user 轮次里没有问题文本。请在图片占位符后加上 "
        "`{{'type': 'text', 'text': question}}`。",
        "ja": "{index} 行目: ユーザーターンに質問のテキストがありません。画像プレースホルダーの後に "
        "`{{'type': 'text', 'text': question}}` を加えてください。",
    },
    "finetuning.rows.missing_answer": {
        "en": "row {index} has no assistant turn, so the model never sees the answer: with the loss "
        "on the answer only there is nothing to learn, and without masking it learns to repeat the "
        "prompt (the bug of the widely copied smol-course recipe). End each conversation with "
        "`{{'role': 'assistant', 'content': [{{'type': 'text', 'text': answer}}]}}`.",
        "es": "la fila {index} no tiene turno del asistente, así que el modelo nunca ve la respuesta: "
        "con la pérdida solo en la respuesta no hay nada que aprender, y sin máscara aprende a repetir "
        "el prompt (el error de la receta de smol-course, muy copiada). Termina cada conversación con "
        "`{{'role': 'assistant', 'content': [{{'type': 'text', 'text': answer}}]}}`.",
        "zh": "第 {index} 行没有 assistant 轮次，所以模型从来看不到答案：损失只算在答案上时无物可学，"
        "不做掩码时它会学着复述提示词（广为流传的 smol-course 配方正有这个 bug）。每段对话都应以 "
        "`{{'role': 'assistant', 'content': [{{'type': 'text', 'text': answer}}]}}` 结尾。",
        "ja": "{index} 行目に assistant ターンがないため、モデルは答えを一度も見ません。損失を答え"
        "だけにかけると学ぶものがなく、マスクしないとプロンプトを繰り返すことを覚えます（広く"
        "コピーされている smol-course のレシピのバグです）。各会話を "
        "`{{'role': 'assistant', 'content': [{{'type': 'text', 'text': answer}}]}}` で終えてください。",
    },
    "finetuning.rows.answer_not_last": {
        "en": "row {index} does not end with the assistant's answer (roles: {roles}). The answer is "
        "the target: it comes last.",
        "es": "la fila {index} no termina con la respuesta del asistente (roles: {roles}). La "
        "respuesta es el objetivo: va al final.",
        "zh": "第 {index} 行没有以 assistant 的答案结尾（角色：{roles}）。答案是训练目标，应放在最后。",
        "ja": "{index} 行目が assistant の答えで終わっていません（ロール: {roles}）。答えは学習の"
        "目標なので最後に置きます。",
    },
    "finetuning.rows.empty_answer": {
        "en": "row {index}: the assistant turn has no text. It should hold the answer from the "
        "dataset.",
        "es": "fila {index}: el turno del asistente no tiene texto. Debe contener la respuesta del "
        "dataset.",
        "zh": "第 {index} 行：assistant 轮次里没有文本，应当是数据集里的答案。",
        "ja": "{index} 行目: assistant ターンにテキストがありません。データセットの答えを入れてください。",
    },
    "finetuning.rows.different_questions": {
        "en": "`{before}` and `{after}` were not measured on the same questions. Evaluate both models "
        "on the same held-out split.",
        "es": "`{before}` y `{after}` no se midieron sobre las mismas preguntas. Evalúa ambos "
        "modelos con el mismo conjunto de prueba.",
        "zh": "`{before}` 和 `{after}` 不是在同一批问题上测出来的。请在同一个留出测试集上评估两个模型。",
        "ja": "`{before}` と `{after}` が同じ質問で測られていません。両方のモデルを同じ"
        "テスト用データで評価してください。",
    },
    "finetuning.rows.same_model": {
        "en": "`{before}` and `{after}` have exactly the same predictions: did you evaluate the same "
        "model twice? Evaluate the trained model, e.g. `evaluate(trainer.model, processor, ...)`.",
        "es": "`{before}` y `{after}` tienen exactamente las mismas predicciones: ¿evaluaste dos "
        "veces el mismo modelo? Evalúa el modelo entrenado, p. ej. "
        "`evaluate(trainer.model, processor, ...)`.",
        "zh": "`{before}` 和 `{after}` 的预测完全相同：是不是把同一个模型评估了两次？请评估训练后的"
        "模型，例如 `evaluate(trainer.model, processor, ...)`。",
        "ja": "`{before}` と `{after}` の予測がまったく同じです。同じモデルを 2 回評価していませんか？"
        "学習したモデルを評価してください（例: `evaluate(trainer.model, processor, ...)`）。",
    },
    # ------------------------------------------------------------------ 🐢 turtle (lesson 2)
    "finetuning.turtle.passed": {
        "en": "rows with the answer as the assistant turn, a collator that keeps only the answer in "
        "the loss, {steps} logged losses ({first} → {last}), and held-out exact match {before} → "
        "{after}.",
        "es": "filas con la respuesta como turno del asistente, un collator que deja solo la "
        "respuesta en la pérdida, {steps} pérdidas registradas ({first} → {last}) y exact match en "
        "prueba {before} → {after}.",
        "zh": "训练行以答案作为 assistant 轮次，collator 只让答案计入损失，记录了 {steps} 次损失"
        "（{first} → {last}），留出集精确匹配率 {before} → {after}。",
        "ja": "答えを assistant ターンに持つ行、答えだけを損失に残す collator、記録された損失 "
        "{steps} 件（{first} → {last}）、テストの完全一致率 {before} → {after}。",
    },
    "finetuning.turtle.not_trained": {
        "en": "`sft_trainer` has logged no training loss. Did the training run? `finetune(...)` "
        "trains and returns the trainer.",
        "es": "`sft_trainer` no ha registrado ninguna pérdida. ¿Se ejecutó el entrenamiento? "
        "`finetune(...)` entrena y devuelve el trainer.",
        "zh": "`sft_trainer` 没有记录任何训练损失。训练真的运行了吗？`finetune(...)` 会训练并返回 trainer。",
        "ja": "`sft_trainer` に学習損失の記録がありません。学習は実行されましたか？"
        "`finetune(...)` は学習して trainer を返します。",
    },
    "finetuning.turtle.collator_failed": {
        "en": "the trainer's collator could not batch two of your rows (`{error_type}`: {error}).",
        "es": "el collator del trainer no pudo agrupar dos de tus filas (`{error_type}`: {error}).",
        "zh": "trainer 的 collator 无法把你的两行组成批次（`{error_type}`：{error}）。",
        "ja": "trainer の collator があなたの 2 行をバッチにできませんでした（`{error_type}`: {error}）。",
    },
    "finetuning.turtle.no_labels": {
        "en": "the trainer's collator makes batches without `labels`, so there is no target. Use "
        "`VisionSFTCollator(processor)` (what `finetune` uses by default).",
        "es": "el collator del trainer crea lotes sin `labels`, así que no hay objetivo. Usa "
        "`VisionSFTCollator(processor)` (lo que usa `finetune` por defecto).",
        "zh": "trainer 的 collator 生成的批次没有 `labels`，也就没有训练目标。请使用 "
        "`VisionSFTCollator(processor)`（`finetune` 默认用的就是它）。",
        "ja": "trainer の collator が `labels` のないバッチを作るため、学習の目標がありません。"
        "`VisionSFTCollator(processor)`（`finetune` の既定）を使ってください。",
    },
    "finetuning.turtle.images_in_loss": {
        "en": "{count} image tokens of batch row {row} have labels: the model is trained to predict "
        "`<image>` placeholders. Mask everything but the answer with -100: "
        "`VisionSFTCollator(processor)` does it (trl's default collator masks only the padding).",
        "es": "{count} tokens de imagen de la fila {row} del lote tienen etiqueta: el modelo aprende "
        "a predecir marcadores `<image>`. Enmascara con -100 todo salvo la respuesta: "
        "`VisionSFTCollator(processor)` lo hace (el collator por defecto de trl solo enmascara el "
        "relleno).",
        "zh": "批次第 {row} 行有 {count} 个图片 token 带着标签：模型被训练去预测 `<image>` 占位符。"
        "除答案外都应用 -100 掩码：`VisionSFTCollator(processor)` 会这样做（trl 默认的 collator "
        "只掩码填充部分）。",
        "ja": "バッチの {row} 行目で画像トークン {count} 個にラベルが付いています。モデルが "
        "`<image>` プレースホルダーを予測するよう学習されてしまいます。答え以外はすべて -100 で"
        "マスクしてください: `VisionSFTCollator(processor)` がそうします（trl の既定の collator は"
        "パディングしかマスクしません）。",
    },
    "finetuning.turtle.prompt_in_loss": {
        "en": "{count} prompt tokens (user text before `Assistant:`) of batch row {row} have labels: "
        "the loss also teaches the model to write questions. Keep labels only on the answer "
        "(`mask_prompt_labels`, used by `VisionSFTCollator`).",
        "es": "{count} tokens del prompt (texto del usuario antes de `Assistant:`) de la fila {row} "
        "tienen etiqueta: la pérdida también enseña al modelo a escribir preguntas. Deja etiquetas "
        "solo en la respuesta (`mask_prompt_labels`, que usa `VisionSFTCollator`).",
        "zh": "批次第 {row} 行有 {count} 个提示词 token（`Assistant:` 之前的用户文本）带着标签："
        "损失也在教模型写问题。只给答案保留标签（`VisionSFTCollator` 使用的 `mask_prompt_labels`）。",
        "ja": "バッチの {row} 行目でプロンプトのトークン（`Assistant:` より前のユーザーテキスト）"
        "{count} 個にラベルが付いています。損失がモデルに質問の書き方まで教えてしまいます。"
        "ラベルは答えだけに残してください（`VisionSFTCollator` が使う `mask_prompt_labels`）。",
    },
    "finetuning.turtle.nothing_learned_from": {
        "en": "every label of batch row {row} is -100: no token counts in the loss, so training "
        "learns nothing. The answer tokens must keep their ids as labels.",
        "es": "todas las etiquetas de la fila {row} del lote son -100: ningún token cuenta en la "
        "pérdida y el entrenamiento no aprende nada. Los tokens de la respuesta deben conservar su "
        "id como etiqueta.",
        "zh": "批次第 {row} 行的标签全是 -100：没有任何 token 计入损失，训练什么也学不到。"
        "答案 token 的标签必须保留它们的 id。",
        "ja": "バッチの {row} 行目のラベルがすべて -100 です。損失に入るトークンがなく、学習は"
        "何も学びません。答えのトークンはラベルとして自分の id を保つ必要があります。",
    },
    "finetuning.turtle.answer_not_in_loss": {
        "en": "the labels of batch row {row} keep {kept!r}, not the answer {answer!r}. The loss "
        "should cover the assistant's answer.",
        "es": "las etiquetas de la fila {row} del lote conservan {kept!r}, no la respuesta "
        "{answer!r}. La pérdida debe cubrir la respuesta del asistente.",
        "zh": "批次第 {row} 行的标签保留的是 {kept!r}，而不是答案 {answer!r}。损失应覆盖 assistant 的答案。",
        "ja": "バッチの {row} 行目のラベルに残っているのは答え {answer!r} ではなく {kept!r} です。"
        "損失は assistant の答えにかけてください。",
    },
    "finetuning.turtle.no_improvement": {
        "en": "held-out exact match went {before} → {after}; fine-tuning should add at least "
        "{margin}. Too few steps (`STEPS`), a learning rate far from the recipe's, or `after` "
        "measured on the base model?",
        "es": "el exact match en prueba pasó de {before} a {after}; el ajuste fino debería sumar al "
        "menos {margin}. ¿Muy pocos pasos (`STEPS`), una tasa de aprendizaje lejos de la de la "
        "receta, o `after` medido con el modelo base?",
        "zh": "留出集精确匹配率从 {before} 变为 {after}；微调应至少提升 {margin}。是步数（`STEPS`）"
        "太少、学习率偏离配方太多，还是 `after` 测的是基座模型？",
        "ja": "テストの完全一致率は {before} → {after} でした。ファインチューニングで少なくとも "
        "{margin} は上がるはずです。ステップ数（`STEPS`）が少なすぎる、学習率がレシピから"
        "大きく外れている、あるいは `after` をベースモデルで測っていませんか？",
    },
    "finetuning.turtle.hint.1": {
        "en": "Four steps: `format_dataset(charts['train'])` (rows with the answer as the assistant "
        "turn), `evaluate(model, processor, charts['test'])` before training, `finetune(...)` on a "
        "fresh copy of the model with `sft_recipe(METHOD, ...)`, then `evaluate` the trainer's model.",
        "es": "Cuatro pasos: `format_dataset(charts['train'])` (filas con la respuesta como turno del "
        "asistente), `evaluate(model, processor, charts['test'])` antes de entrenar, `finetune(...)` "
        "sobre una copia nueva del modelo con `sft_recipe(METHOD, ...)`, y luego `evaluate` del modelo "
        "del trainer.",
        "zh": "四步：`format_dataset(charts['train'])`（以答案作为 assistant 轮次的训练行）；训练前 "
        "`evaluate(model, processor, charts['test'])`；用 `sft_recipe(METHOD, ...)` 在模型的新副本上 "
        "`finetune(...)`；最后 `evaluate` trainer 的模型。",
        "ja": "4 ステップです: `format_dataset(charts['train'])`（答えを assistant ターンに持つ行）、"
        "学習前に `evaluate(model, processor, charts['test'])`、モデルの新しいコピーに "
        "`sft_recipe(METHOD, ...)` で `finetune(...)`、最後に trainer のモデルを `evaluate`。",
    },
    "finetuning.turtle.hint.2": {
        "en": "`train_rows = format_dataset(charts['train'])`\n"
        "`before = evaluate(model, processor, charts['test'])`\n"
        "`sft_model, _ = load_vlm(MODEL, quantization=QUANTIZATION)`\n"
        "`sft_trainer = finetune(sft_model, processor, train_rows, recipe)`  (`recipe` from section 5)\n"
        "`after = evaluate(sft_trainer.model, processor, charts['test'])`",
        "es": "`train_rows = format_dataset(charts['train'])`\n"
        "`before = evaluate(model, processor, charts['test'])`\n"
        "`sft_model, _ = load_vlm(MODEL, quantization=QUANTIZATION)`\n"
        "`sft_trainer = finetune(sft_model, processor, train_rows, recipe)`  (`recipe` de la sección 5)\n"
        "`after = evaluate(sft_trainer.model, processor, charts['test'])`",
        "zh": "`train_rows = format_dataset(charts['train'])`\n"
        "`before = evaluate(model, processor, charts['test'])`\n"
        "`sft_model, _ = load_vlm(MODEL, quantization=QUANTIZATION)`\n"
        "`sft_trainer = finetune(sft_model, processor, train_rows, recipe)`  （`recipe` 见第 5 节）\n"
        "`after = evaluate(sft_trainer.model, processor, charts['test'])`",
        "ja": "`train_rows = format_dataset(charts['train'])`\n"
        "`before = evaluate(model, processor, charts['test'])`\n"
        "`sft_model, _ = load_vlm(MODEL, quantization=QUANTIZATION)`\n"
        "`sft_trainer = finetune(sft_model, processor, train_rows, recipe)`  （`recipe` は 5 節のもの）\n"
        "`after = evaluate(sft_trainer.model, processor, charts['test'])`",
    },
    # ------------------------------------------------------------------ 🐕 dog (lesson 2)
    "finetuning.dog.passed": {
        "en": "`format_row` turned {count} fresh rows into image placeholder + question → answer "
        "conversations with their pictures. After training, {after} of the held-out answers use the "
        "new dataset's answer words (before: {before}); exact match {exact_before} → {exact_after}.",
        "es": "`format_row` convirtió {count} filas nuevas en conversaciones marcador de imagen + "
        "pregunta → respuesta con sus imágenes. Tras entrenar, {after} de las respuestas de prueba usan "
        "las palabras de las respuestas del nuevo dataset (antes: {before}); exact match "
        "{exact_before} → {exact_after}.",
        "zh": "`format_row` 把 {count} 个新行转换成了“图片占位符 + 问题 → 答案”的对话并附上图片。"
        "训练后，留出集回答中有 {after} 使用了新数据集答案里的词（训练前：{before}）；精确匹配率 "
        "{exact_before} → {exact_after}。",
        "ja": "`format_row` は新しい {count} 行を、画像付きの「画像プレースホルダー + 質問 → 答え」"
        "の会話に変換しました。学習後、テストの答えの {after} が新しいデータセットの答えの語を"
        "使っています（学習前: {before}）。完全一致率 {exact_before} → {exact_after}。",
    },
    "finetuning.dog.wrong_column": {
        "en": "`format_row` asked the row for column {column!r}, but this dataset's columns are "
        "{columns}: here it is called {suggestion!r}. A new dataset means new column names.",
        "es": "`format_row` pidió a la fila la columna {column!r}, pero las columnas de este dataset "
        "son {columns}: aquí se llama {suggestion!r}. Otro dataset, otros nombres de columna.",
        "zh": "`format_row` 向行索取列 {column!r}，但这个数据集的列是 {columns}：这里它叫 "
        "{suggestion!r}。换了数据集，列名也会变。",
        "ja": "`format_row` は行に列 {column!r} を求めましたが、このデータセットの列は {columns} "
        "です。ここでは {suggestion!r} という名前です。データセットが変われば列名も変わります。",
    },
    "finetuning.dog.answer_in_user_turn": {
        "en": "the answer {answer!r} is in the user turn and there is no assistant turn: the model "
        "would read the answer instead of learning to say it. Put the answer in its own "
        "`{{'role': 'assistant', ...}}` turn at the end.",
        "es": "la respuesta {answer!r} está en el turno de usuario y no hay turno del asistente: el "
        "modelo leería la respuesta en vez de aprender a decirla. Ponla en su propio turno "
        "`{{'role': 'assistant', ...}}` al final.",
        "zh": "答案 {answer!r} 在 user 轮次里，而且没有 assistant 轮次：模型只会读到答案，而不会学着"
        "说出它。请把答案放进末尾单独的 `{{'role': 'assistant', ...}}` 轮次。",
        "ja": "答え {answer!r} がユーザーターンにあり、assistant ターンがありません。モデルは答えを"
        "言うことを学ばず、読むだけになります。答えは最後の独立した "
        "`{{'role': 'assistant', ...}}` ターンに入れてください。",
    },
    "finetuning.dog.question_missing": {
        "en": "the user turn should hold the row's question {question!r}; it holds {got!r}.",
        "es": "el turno de usuario debería contener la pregunta de la fila {question!r}; contiene "
        "{got!r}.",
        "zh": "user 轮次应当包含该行的问题 {question!r}，实际是 {got!r}。",
        "ja": "ユーザーターンには行の質問 {question!r} が入るはずですが、{got!r} が入っています。",
    },
    "finetuning.dog.wrong_answer": {
        "en": "the assistant turn says {got!r}, but the row's answer is {expected!r}.",
        "es": "el turno del asistente dice {got!r}, pero la respuesta de la fila es {expected!r}.",
        "zh": "assistant 轮次写的是 {got!r}，但该行的答案是 {expected!r}。",
        "ja": "assistant ターンは {got!r} ですが、行の答えは {expected!r} です。",
    },
    "finetuning.dog.wrong_picture": {
        "en": "`images` should hold exactly the row's `picture` (it holds {count} picture(s), not "
        "that one).",
        "es": "`images` debería contener exactamente la `picture` de la fila (contiene {count} "
        "imagen(es), no esa).",
        "zh": "`images` 应当恰好是该行的 `picture`（现在有 {count} 张图片，且不是那张）。",
        "ja": "`images` には行の `picture` がちょうど 1 枚入るはずです（今は {count} 枚で、"
        "その画像ではありません）。",
    },
    "finetuning.dog.no_improvement": {
        "en": "the trained model did not move toward the new dataset: {after} of its held-out answers "
        "use the dataset's answer words (before: {before}; needed: {margin} more), exact match "
        "{exact_before} → {exact_after}. Did you train on the formatted shape rows for `SHAPE_STEPS`, "
        "and evaluate the trained model with `image_key='picture', question_key='question', "
        "answer_key='answer'`?",
        "es": "el modelo entrenado no se acercó al nuevo dataset: {after} de sus respuestas de prueba "
        "usan las palabras de las respuestas (antes: {before}; hacía falta {margin} más), exact match "
        "{exact_before} → {exact_after}. ¿Entrenaste con las filas de formas formateadas durante "
        "`SHAPE_STEPS` y evaluaste el modelo entrenado con `image_key='picture', "
        "question_key='question', answer_key='answer'`?",
        "zh": "训练后的模型没有向新数据集靠拢：留出集回答中只有 {after} 使用了数据集答案里的词"
        "（训练前：{before}；需要再多 {margin}），精确匹配率 {exact_before} → {exact_after}。你是否用"
        "格式化后的形状行训练了 `SHAPE_STEPS` 步，并用 `image_key='picture', "
        "question_key='question', answer_key='answer'` 评估了训练后的模型？",
        "ja": "学習したモデルが新しいデータセットに近づいていません。テストの答えのうちデータセットの"
        "答えの語を使うのは {after} です（学習前: {before}、必要な増加: {margin}）。完全一致率 "
        "{exact_before} → {exact_after}。整形した形の行で `SHAPE_STEPS` ステップ学習し、学習した"
        "モデルを `image_key='picture', question_key='question', answer_key='answer'` で"
        "評価しましたか？",
    },
    "finetuning.dog.hint.1": {
        "en": "Read the columns first (`shapes.column_names`): the picture is in `row['picture']`, "
        "the question in `row['question']`, the answer in `row['answer']`. Return the same structure "
        "as `format_vqa_row`: a user turn with `{'type': 'image'}` and the question, an assistant turn "
        "with the answer, and `images=[picture]`.",
        "es": "Lee primero las columnas (`shapes.column_names`): la imagen está en `row['picture']`, "
        "la pregunta en `row['question']` y la respuesta en `row['answer']`. Devuelve la misma "
        "estructura que `format_vqa_row`: un turno de usuario con `{'type': 'image'}` y la pregunta, "
        "un turno del asistente con la respuesta, e `images=[picture]`.",
        "zh": "先看列名（`shapes.column_names`）：图片在 `row['picture']`，问题在 `row['question']`，"
        "答案在 `row['answer']`。返回与 `format_vqa_row` 相同的结构：user 轮次含 "
        "`{'type': 'image'}` 和问题，assistant 轮次含答案，以及 `images=[picture]`。",
        "ja": "まず列名（`shapes.column_names`）を確認しましょう。画像は `row['picture']`、質問は "
        "`row['question']`、答えは `row['answer']` にあります。`format_vqa_row` と同じ構造を返します: "
        "`{'type': 'image'}` と質問を持つユーザーターン、答えを持つ assistant ターン、"
        "そして `images=[picture]`。",
    },
    "finetuning.dog.hint.2": {
        "en": "`return {'messages': [{'role': 'user', 'content': [{'type': 'image'}, {'type': 'text', "
        "'text': row['question']}]}, {'role': 'assistant', 'content': [{'type': 'text', 'text': "
        "row['answer']}]}], 'images': [row['picture']]}`; then `finetune` a fresh model on "
        "`[format_row(row) for row in shapes_train]` and `evaluate(..., image_key='picture', "
        "question_key='question', answer_key='answer')` before and after.",
        "es": "`return {'messages': [{'role': 'user', 'content': [{'type': 'image'}, {'type': 'text', "
        "'text': row['question']}]}, {'role': 'assistant', 'content': [{'type': 'text', 'text': "
        "row['answer']}]}], 'images': [row['picture']]}`; después `finetune` de un modelo nuevo con "
        "`[format_row(row) for row in shapes_train]` y `evaluate(..., image_key='picture', "
        "question_key='question', answer_key='answer')` antes y después.",
        "zh": "`return {'messages': [{'role': 'user', 'content': [{'type': 'image'}, {'type': 'text', "
        "'text': row['question']}]}, {'role': 'assistant', 'content': [{'type': 'text', 'text': "
        "row['answer']}]}], 'images': [row['picture']]}`；然后在 "
        "`[format_row(row) for row in shapes_train]` 上 `finetune` 一个新模型，并在前后用 "
        "`evaluate(..., image_key='picture', question_key='question', answer_key='answer')` 评估。",
        "ja": "`return {'messages': [{'role': 'user', 'content': [{'type': 'image'}, {'type': 'text', "
        "'text': row['question']}]}, {'role': 'assistant', 'content': [{'type': 'text', 'text': "
        "row['answer']}]}], 'images': [row['picture']]}`。続いて新しいモデルを "
        "`[format_row(row) for row in shapes_train]` で `finetune` し、前後で "
        "`evaluate(..., image_key='picture', question_key='question', answer_key='answer')` します。",
    },
    # ------------------------------------------------------------------ 🦁 lion (lesson 2)
    "finetuning.lion.passed": {
        "en": "{count} preference pairs (chosen = the right answer, rejected = the model's own "
        "answer on its {mistakes} checked mistakes), reward accuracy {reward}, and the comparison "
        "{table}.",
        "es": "{count} pares de preferencia (chosen = la respuesta correcta, rejected = la respuesta "
        "del propio modelo en sus {mistakes} errores comprobados), reward accuracy {reward} y la "
        "comparación {table}.",
        "zh": "{count} 个偏好对（chosen = 正确答案，rejected = 模型在被核对的 {mistakes} 个错误上自己"
        "给出的答案），奖励准确率 {reward}，对比：{table}。",
        "ja": "選好ペア {count} 組（chosen = 正解、rejected = 確認した {mistakes} 件の誤りでモデル"
        "自身が出した答え）、報酬の正解率 {reward}、比較: {table}。",
    },
    "finetuning.lion.keys": {
        "en": "preference row {index} has the keys {keys}; it is missing {missing}. trl's DPO rows "
        "are `{{'images', 'prompt', 'chosen', 'rejected'}}`.",
        "es": "la fila de preferencia {index} tiene las claves {keys}; le falta {missing}. Las filas "
        "DPO de trl son `{{'images', 'prompt', 'chosen', 'rejected'}}`.",
        "zh": "偏好行 {index} 的键是 {keys}，缺少 {missing}。trl 的 DPO 行是 "
        "`{{'images', 'prompt', 'chosen', 'rejected'}}`。",
        "ja": "選好データの {index} 行目のキーは {keys} で、{missing} がありません。trl の DPO の行は "
        "`{{'images', 'prompt', 'chosen', 'rejected'}}` です。",
    },
    "finetuning.lion.prompt_not_turns": {
        "en": "preference row {index}: `prompt` is a `{got}`; for a vision model it is a list of "
        "turns whose user turn holds a `{{'type': 'image'}}` placeholder and the question.",
        "es": "fila de preferencia {index}: `prompt` es un `{got}`; para un modelo de visión es una "
        "lista de turnos cuyo turno de usuario tiene un marcador `{{'type': 'image'}}` y la pregunta.",
        "zh": "偏好行 {index}：`prompt` 是 `{got}`；对视觉模型来说，它应是轮次列表，其 user 轮次含 "
        "`{{'type': 'image'}}` 占位符和问题。",
        "ja": "選好データの {index} 行目: `prompt` が `{got}` です。ビジョンモデルでは、ユーザー"
        "ターンに `{{'type': 'image'}}` プレースホルダーと質問を持つターンのリストにします。",
    },
    "finetuning.lion.answer_in_prompt": {
        "en": "preference row {index}: the prompt ends with an assistant turn. The answers belong in "
        "`chosen` and `rejected`, the prompt stops at the user's question.",
        "es": "fila de preferencia {index}: el prompt termina con un turno del asistente. Las "
        "respuestas van en `chosen` y `rejected`; el prompt acaba en la pregunta del usuario.",
        "zh": "偏好行 {index}：prompt 以 assistant 轮次结尾。答案应放在 `chosen` 和 `rejected` 里，"
        "prompt 到用户的问题为止。",
        "ja": "選好データの {index} 行目: prompt が assistant ターンで終わっています。答えは "
        "`chosen` と `rejected` に入れ、prompt はユーザーの質問で止めます。",
    },
    "finetuning.lion.answers_not_turns": {
        "en": "preference row {index}: `chosen` and `rejected` should each be an assistant turn, "
        "`[{{'role': 'assistant', 'content': [{{'type': 'text', 'text': ...}}]}}]` (or a string).",
        "es": "fila de preferencia {index}: `chosen` y `rejected` deben ser cada uno un turno del "
        "asistente, `[{{'role': 'assistant', 'content': [{{'type': 'text', 'text': ...}}]}}]` "
        "(o una cadena).",
        "zh": "偏好行 {index}：`chosen` 和 `rejected` 都应是一个 assistant 轮次，"
        "`[{{'role': 'assistant', 'content': [{{'type': 'text', 'text': ...}}]}}]`（或字符串）。",
        "ja": "選好データの {index} 行目: `chosen` と `rejected` はそれぞれ assistant ターン "
        "`[{{'role': 'assistant', 'content': [{{'type': 'text', 'text': ...}}]}}]`（または文字列）"
        "にしてください。",
    },
    "finetuning.lion.rejected_equals_chosen": {
        "en": "preference row {index}: chosen and rejected are the same answer ({answer!r}), so "
        "the pair teaches nothing. Where the model was right, reject a plausible wrong answer.",
        "es": "fila de preferencia {index}: chosen y rejected son la misma respuesta ({answer!r}), "
        "así que el par no enseña nada. Donde el modelo acertó, rechaza una respuesta errónea "
        "plausible.",
        "zh": "偏好行 {index}：chosen 和 rejected 是同一个答案（{answer!r}），这个偏好对什么也教不了。"
        "模型答对的地方，请拒绝一个看似合理的错误答案。",
        "ja": "選好データの {index} 行目: chosen と rejected が同じ答え（{answer!r}）なので、この"
        "ペアからは何も学べません。モデルが正解した行では、もっともらしい誤答を rejected にします。",
    },
    "finetuning.lion.unknown_row": {
        "en": "preference row {index} (question {question!r}) is not one of the `dpo_charts` "
        "questions. Build the pairs from `dpo_charts`.",
        "es": "la fila de preferencia {index} (pregunta {question!r}) no es una de las preguntas de "
        "`dpo_charts`. Construye los pares a partir de `dpo_charts`.",
        "zh": "偏好行 {index}（问题 {question!r}）不在 `dpo_charts` 的问题里。请用 `dpo_charts` 构建偏好对。",
        "ja": "選好データの {index} 行目（質問 {question!r}）は `dpo_charts` の質問ではありません。"
        "`dpo_charts` からペアを作ってください。",
    },
    "finetuning.lion.chosen_not_answer": {
        "en": "preference row {index}: chosen is {chosen!r} but the right answer is {expected!r}. "
        "Chosen is the answer you want (the label), rejected the one you do not: swapped?",
        "es": "fila de preferencia {index}: chosen es {chosen!r} pero la respuesta correcta es "
        "{expected!r}. Chosen es la respuesta que quieres (la etiqueta) y rejected la que no: "
        "¿están intercambiadas?",
        "zh": "偏好行 {index}：chosen 是 {chosen!r}，但正确答案是 {expected!r}。chosen 是你想要的"
        "答案（标签），rejected 是你不想要的：是不是弄反了？",
        "ja": "選好データの {index} 行目: chosen は {chosen!r} ですが正解は {expected!r} です。"
        "chosen は望む答え（ラベル）、rejected は望まない答えです。逆になっていませんか？",
    },
    "finetuning.lion.rejected_not_mistakes": {
        "en": "the rejected answers are not the model's own mistakes: on row {index} the model says "
        "{said!r} (wrong) but rejected is {rejected!r} ({agree} of {mistakes} mistakes match). Ask "
        "the base `model` and reject what it really says where it is wrong: `make_preference_rows` "
        "does that.",
        "es": "las respuestas rechazadas no son los errores del propio modelo: en la fila {index} el "
        "modelo dice {said!r} (mal) pero rejected es {rejected!r} (coinciden {agree} de {mistakes} "
        "errores). Pregunta al `model` base y rechaza lo que realmente dice cuando se equivoca: "
        "`make_preference_rows` lo hace.",
        "zh": "rejected 答案不是模型自己的错误：第 {index} 行模型回答 {said!r}（错误），但 rejected "
        "是 {rejected!r}（{mistakes} 个错误中只有 {agree} 个对得上）。请询问基座 `model`，在它答错的"
        "地方拒绝它真正给出的答案：`make_preference_rows` 就是这样做的。",
        "ja": "rejected の答えがモデル自身の誤りではありません。{index} 行目でモデルは {said!r}"
        "（誤り）と答えますが、rejected は {rejected!r} です（誤り {mistakes} 件中 {agree} 件が"
        "一致）。ベースの `model` に質問し、間違えた行ではモデルが実際に言った答えを rejected に"
        "してください: `make_preference_rows` がそうします。",
    },
    "finetuning.lion.not_trained": {
        "en": "`dpo_trainer` has logged no `rewards/accuracies`: did DPO training run? "
        "`train_dpo(...)` trains and returns the trainer.",
        "es": "`dpo_trainer` no ha registrado `rewards/accuracies`: ¿se ejecutó el entrenamiento "
        "DPO? `train_dpo(...)` entrena y devuelve el trainer.",
        "zh": "`dpo_trainer` 没有记录 `rewards/accuracies`：DPO 训练运行了吗？`train_dpo(...)` "
        "会训练并返回 trainer。",
        "ja": "`dpo_trainer` に `rewards/accuracies` の記録がありません。DPO の学習は実行されましたか？"
        "`train_dpo(...)` は学習して trainer を返します。",
    },
    "finetuning.lion.low_reward_accuracy": {
        "en": "reward accuracy is {accuracy}: the trained model does not yet prefer the chosen "
        "answers over the rejected ones more often than a coin. More `DPO_STEPS`, or check that "
        "chosen and rejected are not swapped.",
        "es": "la reward accuracy es {accuracy}: el modelo entrenado aún no prefiere las respuestas "
        "chosen a las rejected más a menudo que una moneda. Más `DPO_STEPS`, o comprueba que chosen "
        "y rejected no estén intercambiadas.",
        "zh": "奖励准确率为 {accuracy}：训练后的模型偏好 chosen 胜过 rejected 的频率还不如抛硬币。"
        "增加 `DPO_STEPS`，或检查 chosen 与 rejected 是否弄反。",
        "ja": "報酬の正解率が {accuracy} です。学習したモデルが chosen を rejected より好む頻度が"
        "コイン投げ以下です。`DPO_STEPS` を増やすか、chosen と rejected が逆でないか確認して"
        "ください。",
    },
    "finetuning.lion.comparison_incomplete": {
        "en": "`comparison` has {names}; it needs the base model, SFT and DPO on the same questions "
        "(missing: {missing}), e.g. `{{'before': before, 'SFT': after, 'DPO': dpo_after}}`.",
        "es": "`comparison` tiene {names}; necesita el modelo base, SFT y DPO con las mismas "
        "preguntas (falta: {missing}), p. ej. `{{'before': before, 'SFT': after, 'DPO': dpo_after}}`.",
        "zh": "`comparison` 里有 {names}；它需要基座模型、SFT 和 DPO 在同一批问题上的结果"
        "（缺少：{missing}），例如 `{{'before': before, 'SFT': after, 'DPO': dpo_after}}`。",
        "ja": "`comparison` には {names} があります。同じ質問でのベースモデル・SFT・DPO の結果が"
        "必要です（不足: {missing}）。例: `{{'before': before, 'SFT': after, 'DPO': dpo_after}}`。",
    },
    "finetuning.lion.hint.1": {
        "en": "`make_preference_rows(model, processor, dpo_charts)` asks the base model every "
        "question and returns (rows, share of mistakes): chosen = the label, rejected = the model's "
        "own wrong answer (or a plausible wrong one where it was right). Train a fresh model with "
        "`train_dpo(..., dpo_config(max_steps=DPO_STEPS, ...))`, read `reward_accuracy(...)` from "
        "its `state.log_history`, and evaluate it on `charts['test']`.",
        "es": "`make_preference_rows(model, processor, dpo_charts)` pregunta al modelo base cada "
        "pregunta y devuelve (filas, proporción de errores): chosen = la etiqueta, rejected = la "
        "respuesta errónea del propio modelo (o una errónea plausible donde acertó). Entrena un "
        "modelo nuevo con `train_dpo(..., dpo_config(max_steps=DPO_STEPS, ...))`, lee "
        "`reward_accuracy(...)` de su `state.log_history` y evalúalo en `charts['test']`.",
        "zh": "`make_preference_rows(model, processor, dpo_charts)` 会向基座模型提出每个问题，返回"
        "（行，错误比例）：chosen = 标签，rejected = 模型自己的错误答案（答对时用一个看似合理的错误"
        "答案）。用 `train_dpo(..., dpo_config(max_steps=DPO_STEPS, ...))` 训练一个新模型，从它的 "
        "`state.log_history` 读出 `reward_accuracy(...)`，并在 `charts['test']` 上评估。",
        "ja": "`make_preference_rows(model, processor, dpo_charts)` はベースモデルに全質問をして"
        "（行, 誤りの割合）を返します: chosen = ラベル、rejected = モデル自身の誤答（正解した行では"
        "もっともらしい誤答）。新しいモデルを `train_dpo(..., dpo_config(max_steps=DPO_STEPS, ...))` "
        "で学習し、その `state.log_history` から `reward_accuracy(...)` を読み、`charts['test']` "
        "で評価します。",
    },
    "finetuning.lion.hint.2": {
        "en": "`preference_rows, mistake_share = make_preference_rows(model, processor, dpo_charts)`\n"
        "`dpo_model, _ = load_vlm(MODEL)`\n"
        "`dpo_trainer = train_dpo(dpo_model, processor, preference_rows, dpo_config("
        "output_dir=str(WORK_DIR / 'dpo'), max_steps=DPO_STEPS, batch_size=8))`\n"
        "`dpo_after = evaluate(dpo_trainer.model, processor, charts['test'])`\n"
        "`comparison = {'before': before, 'SFT': after, 'DPO': dpo_after}`",
        "es": "`preference_rows, mistake_share = make_preference_rows(model, processor, dpo_charts)`\n"
        "`dpo_model, _ = load_vlm(MODEL)`\n"
        "`dpo_trainer = train_dpo(dpo_model, processor, preference_rows, dpo_config("
        "output_dir=str(WORK_DIR / 'dpo'), max_steps=DPO_STEPS, batch_size=8))`\n"
        "`dpo_after = evaluate(dpo_trainer.model, processor, charts['test'])`\n"
        "`comparison = {'before': before, 'SFT': after, 'DPO': dpo_after}`",
        "zh": "`preference_rows, mistake_share = make_preference_rows(model, processor, dpo_charts)`\n"
        "`dpo_model, _ = load_vlm(MODEL)`\n"
        "`dpo_trainer = train_dpo(dpo_model, processor, preference_rows, dpo_config("
        "output_dir=str(WORK_DIR / 'dpo'), max_steps=DPO_STEPS, batch_size=8))`\n"
        "`dpo_after = evaluate(dpo_trainer.model, processor, charts['test'])`\n"
        "`comparison = {'before': before, 'SFT': after, 'DPO': dpo_after}`",
        "ja": "`preference_rows, mistake_share = make_preference_rows(model, processor, dpo_charts)`\n"
        "`dpo_model, _ = load_vlm(MODEL)`\n"
        "`dpo_trainer = train_dpo(dpo_model, processor, preference_rows, dpo_config("
        "output_dir=str(WORK_DIR / 'dpo'), max_steps=DPO_STEPS, batch_size=8))`\n"
        "`dpo_after = evaluate(dpo_trainer.model, processor, charts['test'])`\n"
        "`comparison = {'before': before, 'SFT': after, 'DPO': dpo_after}`",
    },
}

# Hints are shown verbatim (never formatted), so their braces are literal.
VERBATIM_PREFIXES = (
    "turtle.hint.",
    "dog.hint.",
    "lion.hint.",
    "finetuning.turtle.hint.",
    "finetuning.dog.hint.",
    "finetuning.lion.hint.",
)


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
