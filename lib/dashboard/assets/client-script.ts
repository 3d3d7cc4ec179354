/** The page script served as `assets/dashboard.js`: its parts joined once into one strict-mode function. */
import { CLIENT_CORE } from './client-core';
import { CLIENT_DETAIL } from './client-detail';
import { CLIENT_LATENCY } from './client-latency';
import { CLIENT_MAIN } from './client-main';
import { CLIENT_RENDER } from './client-render';

// One scope, so the page adds no globals besides Chart.js's own.
export const CLIENT_SCRIPT = ['(function () {', "'use strict';", CLIENT_CORE, CLIENT_RENDER, CLIENT_LATENCY, CLIENT_DETAIL, CLIENT_MAIN, '})();', ''].join('\n');
