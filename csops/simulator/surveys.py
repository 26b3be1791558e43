"""Survey answers that follow the experience: wait, resolution, agent and team.

A latent satisfaction on the 1-5 scale is built from the experience plus noise; CSAT,
NPS and CES are read off it on their own scales, and the comment's themes and
sentiment come from the same experience, so a manager reading comments finds the
reasons the scores moved.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from csops.simulator.config import CenterConfig
from csops.simulator.model import Experience, Survey
from csops.simulator.population import Population

CHANNEL_BASE = {"phone": 4.05, "email": 3.85, "chat": 4.25, "web": 3.95, "social": 3.6}

# Comment phrases by theme and sentiment. The theme list the app will let managers edit
# starts from these names.
PHRASES = {
    ("wait_time", "negative"): ("I waited far too long to get through.", "Way too long on hold.",
                                "It took days before anyone answered my email."),
    ("wait_time", "positive"): ("Got through quickly.", "Very fast response, thank you."),
    ("resolution", "negative"): ("My problem is still not fixed.", "I had to contact you again about the same thing.",
                                 "Nobody actually solved my issue."),
    ("resolution", "positive"): ("Solved in one go.", "Everything is working now."),
    ("agent_attitude", "negative"): ("The agent seemed uninterested.", "Rude and unhelpful staff."),
    ("agent_attitude", "positive"): ("The agent was friendly and patient.", "Really helpful and kind person."),
    ("billing", "negative"): ("I was charged twice and still have no refund.",),
    ("billing", "positive"): ("The refund came through right away.",),
    ("delivery", "negative"): ("My parcel is still missing.",),
    ("delivery", "positive"): ("They tracked down my parcel for me.",),
}


# About one answered survey in PREVIEW_EVERY is also opened by an admin checking the trigger:
# a preview (or a generated test response) lands in the export beside the real one, with the
# same embedded data. Chosen from the response id, not the random stream, so that adding
# previews changed no other simulated value.
PREVIEW_EVERY = 40


@dataclass(frozen=True)
class PreviewResponse:
    response_id: str
    status: str  # the export's Status label
    distribution_channel: str


def preview_of(survey: Survey) -> PreviewResponse | None:
    """The preview or test response written beside an answered survey, if there is one."""
    if survey.response_id is None:
        return None
    digest = hashlib.sha256(f"preview:{survey.response_id}".encode()).hexdigest()
    if int(digest[:8], 16) % PREVIEW_EVERY:
        return None
    if int(digest[8:10], 16) % 2:
        return PreviewResponse("R_" + digest[10:25], "Survey Preview", "preview")
    return PreviewResponse("R_" + digest[10:25], "Survey Test", "test")


def plan_survey(rng: random.Random, config: CenterConfig, people: Population, system: str, contact_ref: str,
                customer_index: int, ended_at: datetime, category: str, experience: Experience) -> Survey | None:
    if rng.random() >= config.survey_send_rate:
        return None
    survey = Survey(system, contact_ref, customer_index, sent_at=ended_at + timedelta(minutes=rng.randrange(10, 60)))
    if rng.random() >= config.survey_response_rate:
        return survey
    latent = _latent_satisfaction(rng, config, people, experience)
    survey.response_id = "R_" + uuid.UUID(int=rng.getrandbits(128)).hex[:15]
    survey.recorded_at = survey.sent_at + timedelta(minutes=min(rng.expovariate(1 / 600), 2 * 24 * 60))
    survey.started_at = survey.recorded_at - timedelta(seconds=rng.randrange(30, 400))
    survey.csat_score = _clamp(round(latent), 1, 5)
    survey.nps_score = _clamp(round(2.5 * latent - 2.3 + rng.gauss(0, 1.0)), 0, 10)
    survey.ces_score = _clamp(round(latent + 1.6 - (0.8 if experience.wait_seconds > 180 else 0) + rng.gauss(0, 0.6)), 1, 7)
    survey.is_resolved_answer = experience.resolved if rng.random() < 0.92 else not experience.resolved
    survey.sentiment = round(max(-1.0, min(1.0, (latent - 3.3) / 1.7)), 3)
    if rng.random() < 0.5:
        survey.themes, survey.comment = _comment(rng, experience, category, survey.sentiment)
    return survey


def _latent_satisfaction(rng: random.Random, config: CenterConfig, people: Population, experience: Experience) -> float:
    stories = config.stories
    latent = CHANNEL_BASE[experience.channel] + (0.45 if experience.resolved else -1.35)
    latent -= min(1.6, experience.wait_seconds / 240)
    latent -= 0.7 if experience.first_reply_breached else 0
    latent += people.agents[experience.agent_index].csat_bias
    if stories.weak_team and experience.team_key == stories.weak_team_key:
        latent -= stories.weak_team_csat_penalty
    return latent + rng.gauss(0, 0.65)


def _comment(rng: random.Random, experience: Experience, category: str, sentiment: float) -> tuple[tuple[str, ...], str]:
    tone = "positive" if sentiment >= 0 else "negative"
    themes = []
    if experience.wait_seconds > 180 or experience.first_reply_breached:
        themes.append(("wait_time", "negative"))
    elif tone == "positive" and rng.random() < 0.4:
        themes.append(("wait_time", "positive"))
    themes.append(("resolution", "positive" if experience.resolved else "negative"))
    if rng.random() < 0.5:
        themes.append(("agent_attitude", tone))
    if category in ("billing", "delivery") and rng.random() < 0.5:
        themes.append((category, tone))
    chosen = [themes[0]] + [t for t in themes[1:] if rng.random() < 0.6]
    text = " ".join(rng.choice(PHRASES[theme]) for theme in chosen)
    return tuple(name for name, _ in chosen), text


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))
