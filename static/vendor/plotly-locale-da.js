// plotly.js-locales 3.7.0 da.js (MIT), registered with plotly.js: made by make static/vendor/plotly-locale-da.js
(function () { var module = { exports: {} };
'use strict';

module.exports = {
    moduleType: 'locale',
    name: 'da',
    dictionary: {},
    format: {
        days: ['Søndag', 'Mandag', 'Tirsdag', 'Onsdag', 'Torsdag', 'Fredag', 'Lørdag'],
        shortDays: ['Søn', 'Man', 'Tir', 'Ons', 'Tor', 'Fre', 'Lør'],
        months: [
            'Januar', 'Februar', 'Marts', 'April', 'Maj', 'Juni',
            'Juli', 'August', 'September', 'Oktober', 'November', 'December'
        ],
        shortMonths: [
            'Jan', 'Feb', 'Mar', 'Apr', 'Maj', 'Jun',
            'Jul', 'Aug', 'Sep', 'Okt', 'Nov', 'Dec'
        ],
        date: '%d-%m-%Y'
    }
};
window.Plotly.register(module.exports); })();
