"""Maintainer tooling of the course (not part of the learner package `course_utils`)."""
