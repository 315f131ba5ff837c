# expect: video_frames.missing_timestamp
# Planted wrong answer (tests/test_notebooks.py): frames without their timestamps.
test_video = make_test_video(
    WORK_DIR / "exercise.mp4", seconds=8, size=(160, 120), colors=random_colors(8, seed=7)
)
sampled = sample_frames(test_video.path, num_frames=NUM_FRAMES)
parts = [{"type": "image", "image": frame} for frame in sampled.frames]
parts.append({"type": "text", "text": "Which colour comes last?"})
video_messages = [{"role": "user", "content": parts}]
video_answer = chat(model, processor, video_messages)
