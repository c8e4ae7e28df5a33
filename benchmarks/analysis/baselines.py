"""Tempo and key baselines (librosa, Essentia) on the corpus files given as JSON on stdin.

Prints one JSON object per file on stdout. A library that does not import is reported as
unavailable instead of failing the run. Timings exclude decoding, like the TypeScript side.
Besides `KeyExtractor`'s default profile, the `edma` and `temperley` profiles are run on files
that ask for them (`key_profiles`), untimed.
"""
import json
import sys
import time

files = json.load(sys.stdin)
out = {"librosa": None, "essentia": None, "results": []}
try:
    import librosa  # noqa: F401

    out["librosa"] = librosa.__version__
except Exception as e:  # pragma: no cover
    out["librosa_error"] = str(e)
try:
    import essentia
    import essentia.standard as es

    out["essentia"] = essentia.__version__
except Exception as e:  # pragma: no cover
    out["essentia_error"] = str(e)

for f in files:
    r = {"path": f["path"]}
    if out["librosa"] and f.get("tempo"):
        y, sr = librosa.load(f["path"], sr=22050, mono=True)
        t = time.perf_counter()
        tempo_fn = getattr(librosa.feature, "tempo", None) or librosa.beat.tempo
        r["librosa_bpm"] = float(tempo_fn(y=y, sr=sr)[0])
        r["librosa_s"] = time.perf_counter() - t
    if out["essentia"]:
        audio = es.MonoLoader(filename=f["path"], sampleRate=44100)()
        if f.get("tempo"):
            t = time.perf_counter()
            bpm = es.RhythmExtractor2013(method="multifeature")(audio)[0]
            r["essentia_bpm"] = float(bpm)
            r["essentia_tempo_s"] = time.perf_counter() - t
        if f.get("key"):
            t = time.perf_counter()
            key, scale, strength = es.KeyExtractor()(audio)
            r["essentia_key"] = [key, scale]
            r["essentia_key_s"] = time.perf_counter() - t
            for profile in f.get("key_profiles", []):
                key, scale, strength = es.KeyExtractor(profileType=profile)(audio)
                r["essentia_key_" + profile] = [key, scale]
    out["results"].append(r)
print(json.dumps(out))
