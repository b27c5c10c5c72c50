"""The algorithms `braintank rl` knows, by name: one list for the registry, the CLI and the
docs. Kept free of torch and Gymnasium so `braintank --help` loads neither."""

# algorithm name -> module that trains and loads it
ALGORITHMS = {
    "mc-blackjack": "braintank.rl.mc_blackjack",
    "q-learning": "braintank.rl.cliff",
    "sarsa": "braintank.rl.cliff",
    "dqn": "braintank.rl.dqn",
    "reinforce": "braintank.rl.reinforce",
    "a2c": "braintank.rl.a2c",
    "ppo": "braintank.rl.ppo",
}
# "cliff" trains Q-learning and SARSA side by side on the cliff walk (course 8's figure)
TRAINABLE = (*ALGORITHMS, "cliff")
# algorithms whose training keeps a checkpoint it can resume from
RESUMABLE = ("dqn", "reinforce", "a2c", "ppo")
