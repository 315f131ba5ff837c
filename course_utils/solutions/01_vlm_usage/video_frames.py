test_video = make_test_video(
    WORK_DIR / "exercise.mp4", seconds=8, size=(160, 120), colors=random_colors(8, seed=7)
)
sampled = sample_frames(test_video.path, num_frames=NUM_FRAMES)
parts = []
for frame, timestamp in zip(sampled.frames, sampled.timestamps):
    seconds = int(timestamp)
    parts.append({"type": "text", "text": f"Frame at {seconds // 60:02d}:{seconds % 60:02d}:"})
    parts.append({"type": "image", "image": frame})
parts.append({"type": "text", "text": "Which colour comes last?"})
video_messages = [{"role": "user", "content": parts}]
video_answer = chat(model, processor, video_messages)
print(video_answer, tr("- the video's colours:"), test_video.color_names)
